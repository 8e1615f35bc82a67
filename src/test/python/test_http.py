"""Every request gets exactly one well-formed answer (issue #15, items 2, 3 and 8): the harness's HTTP handler run
in-process with a scripted model, spoken to over a real socket with raw bytes."""
import json
import re
import socket
import sys
import threading
import unittest

from mdharness import protocol, server
from mdharness.metrics import SharedMetrics


class ScriptedModel:
    """Each instance is a number pair (answers their sum) or an object naming a misbehaviour."""

    def predict(self, instances):
        out = []
        for instance in instances:
            if isinstance(instance, (dict, str)):
                kind = instance.get("return") if isinstance(instance, dict) else instance
                if kind == "set":
                    out.append({1, 2})
                elif kind == "bytes":
                    out.append(b"\x00\xff")
                elif kind == "object":
                    out.append(object())
                elif kind == "nan":
                    out.append(float("nan"))
                elif kind == "inf":
                    out.append([1.0, float("inf")])
                elif kind == "deep":
                    deep = 1
                    for _ in range(5000):
                        deep = [deep]
                    out.append(deep)
                elif kind == "exit":
                    sys.exit(3)
                elif kind == "interrupt":
                    raise KeyboardInterrupt()
                elif kind == "echo":
                    out.append(instance.get("value"))
                else:
                    out.append(0)
            elif isinstance(instance, list):
                out.append(sum(v for v in instance if isinstance(v, (int, float))))
            else:
                out.append(instance)
        return out

    def run_pending(self, timeout):
        pass

    def needs_main_thread(self):
        return False


def start_harness(runtime_name="python", signature=None):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    config = {"name": "echo", "version": "7", "runtime": runtime_name, "signature": signature,
              "maxBodyBytes": 4096}
    state = server.WorkerState(config, ScriptedModel(), SharedMetrics(1))
    state.ready = True
    harness = server.HarnessServer(listener, state)
    threading.Thread(target=harness.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return harness, listener.getsockname()[1]


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body)


def parse_responses(data):
    """All responses in the bytes, strictly: each must be a complete, well-formed HTTP/1.1 response with JSON or
    text and a Content-Length; anything left over fails the test."""
    responses = []
    while data:
        head, sep, rest = data.partition(b"\r\n\r\n")
        assert sep, "incomplete response head: %r" % data[:200]
        lines = head.split(b"\r\n")
        match = re.fullmatch(rb"HTTP/1\.1 (\d{3}) [^\r\n]*", lines[0])
        assert match, "bad status line %r" % lines[0]
        status = int(match.group(1))
        headers = {}
        for line in lines[1:]:
            name, colon, value = line.partition(b":")
            assert colon, "bad header line %r" % line
            headers[name.decode().lower()] = value.strip().decode("latin-1")
        if status == 100:
            data = rest
            continue
        length = int(headers["content-length"])
        assert len(rest) >= length, "body cut short: %d of %d" % (len(rest), length)
        responses.append(Response(status, headers, rest[:length]))
        data = rest[length:]
    return responses


def exchange(port, raw, timeout=10.0):
    """Sends the bytes, half-closes, and parses everything the server sends until it closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        try:
            s.sendall(raw)
            s.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass
        chunks = []
        while True:
            try:
                data = s.recv(65536)
            except ConnectionResetError:
                break
            if not data:
                break
            chunks.append(data)
    return parse_responses(b"".join(chunks))


def post(path, body, extra=b""):
    if isinstance(body, str):
        body = body.encode("utf-8")
    return (b"POST " + path.encode() + b" HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n" + extra
            + b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)


HEALTH = b"GET /v2/health/live HTTP/1.1\r\nHost: t\r\n\r\n"


class HarnessTestCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.harness, cls.port = start_harness()

    @classmethod
    def tearDownClass(cls):
        cls.harness.shutdown()
        cls.harness.server_close()

    def one(self, raw):
        responses = exchange(self.port, raw)
        self.assertEqual(len(responses), 1, [(r.status, r.body) for r in responses])
        return responses[0]

    def error(self, raw, status):
        response = self.one(raw)
        self.assertEqual(response.status, status, response.body)
        self.assertEqual(response.headers["content-type"], "application/json")
        message = response.json()["error"]
        self.assertIsInstance(message, str)
        return message

    def metric(self, route, code):
        text = self.one(b"GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n").body.decode()
        match = re.search(r'model_deploy_requests_total\{[^}]*route="%s",code="%s"\} (\d+)' % (route, code), text)
        return int(match.group(1)) if match else 0


class EveryRequestIsAnsweredTest(HarnessTestCase):
    def test_a_null_body_is_a_400_and_a_pipelined_request_keeps_its_own_answer(self):
        responses = exchange(self.port, post("/predict", "null") + HEALTH)
        self.assertEqual([r.status for r in responses], [400, 200])
        self.assertEqual(responses[0].json()["error"],
                         'request body must be a JSON object with an "instances" array, was null')
        self.assertEqual(responses[1].json(), {"live": True})
        self.assertEqual(self.error(post("/v2/models/echo/infer", "null"), 400),
                         'request body must be a JSON object with an "inputs" array, was null')

    def test_over_deep_json_is_a_400(self):
        self.assertEqual(self.error(post("/predict", "[" * 4000), 400), "JSON nested deeper than 100 levels")
        self.assertEqual(self.error(post("/predict", '{"instances": [' + "[" * 500 + "]" * 500 + "]}"), 400),
                         "JSON nested deeper than 100 levels")

    def test_over_deep_v2_data_is_a_400(self):
        body = '{"inputs": [{"name": "x", "shape": [1], "datatype": "FP64", "data": %s}]}' % (
            "[" * 990 + "1" + "]" * 990)
        self.assertEqual(self.error(post("/v2/models/echo/infer", body), 400), "JSON nested deeper than 100 levels")

    def test_non_utf8_out_of_range_numbers_and_huge_integers_are_400s(self):
        self.assertEqual(self.error(post("/predict", b'{"instances": ["\xff"]}'), 400),
                         "request body is not valid UTF-8 (byte 16)")
        self.assertEqual(self.error(post("/predict", '{"instances": [[1e400]]}'), 400),
                         "malformed JSON: number 1e400 is out of range")
        with self.assertRaisesRegex(protocol.BadRequest, r"^malformed JSON: Exceeds the limit \(4300 digits\)"):
            protocol.parse_json_body(b"[" + b"9" * 4400 + b"]")  # a ValueError, not a JSONDecodeError

    def test_output_json_cannot_carry_is_a_500_naming_it(self):
        cases = {
            "set": "model output predictions[0]: set is not JSON-serialisable",
            "bytes": "model output predictions[0]: bytes is not JSON-serialisable",
            "object": "model output predictions[0]: object is not JSON-serialisable",
            "nan": "model output predictions[0]: nan is not a JSON number (non-finite model output)",
            "inf": "model output predictions[0][1]: inf is not a JSON number (non-finite model output)",
            "deep": "model output predictions[0]" + "[0]" * 100 + ": nested deeper than 100 levels",
        }
        for kind, message in cases.items():
            with self.subTest(kind):
                self.assertEqual(self.error(post("/predict", '{"instances": [{"return": "%s"}]}' % kind), 500),
                                 message)
                body = '{"inputs": [{"name": "return", "shape": [1], "datatype": "BYTES", "data": ["%s"]}]}' % kind
                self.assertEqual(self.error(post("/v2/models/echo/infer", body), 500), message)

    def test_sys_exit_and_keyboard_interrupt_in_the_model_are_500s_and_the_server_keeps_serving(self):
        self.assertEqual(self.error(post("/predict", '{"instances": [{"return": "exit"}]}'), 500),
                         "prediction failed: SystemExit: 3")
        self.assertEqual(self.error(post("/predict", '{"instances": [{"return": "interrupt"}]}'), 500),
                         "prediction failed: KeyboardInterrupt: (no message)")
        self.assertEqual(self.one(post("/predict", '{"instances": [[1, 2]]}')).json(), {"predictions": [3]})

    def test_every_outcome_is_counted_in_metrics(self):
        before = (self.metric("predict", 400), self.metric("predict", 500), self.metric("unmatched", 400),
                  self.metric("unmatched", 431))
        self.error(post("/predict", "null"), 400)
        self.error(post("/predict", '{"instances": [{"return": "set"}]}'), 500)
        self.error(b"GET /v2 HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400)
        self.error(b"GET /v2 HTTP/1.1\r\nHost: t\r\n" + b"X-A: 1\r\n" * 101 + b"\r\n", 431)
        after = (self.metric("predict", 400), self.metric("predict", 500), self.metric("unmatched", 400),
                 self.metric("unmatched", 431))
        self.assertEqual([a - b for a, b in zip(after, before)], [1, 1, 1, 1])


class StrictFramingTest(HarnessTestCase):
    """RFC 9112: anything whose framing two parsers could read differently is refused with 400 and a close."""

    def refused(self, raw, status=400):
        response = self.one(raw)
        self.assertEqual(response.status, status, response.body)
        self.assertEqual(response.headers.get("connection"), "close")
        return response.json()["error"]

    def test_conflicting_or_duplicate_content_length(self):
        smuggled = b"GET /v2/health/live HTTP/1.1\r\nHost: t\r\n\r\n"
        raw = (b"POST /predict HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 24\r\n"
               b"Content-Length: " + str(24 + len(smuggled)).encode() + b"\r\n\r\n{\"instances\": [[1, 2]]}" + smuggled)
        self.assertEqual(self.refused(raw), "more than one Content-Length header")
        self.assertEqual(self.refused(b"GET /v2 HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nContent-Length: 0\r\n\r\n"),
                         "more than one Content-Length header")

    def test_content_length_must_be_digits(self):
        for value in (b"+5", b"1_0", b"-1", b"0x10", b"5 5", b"99999999999999999999"):
            with self.subTest(value):
                self.assertTrue(self.refused(b"POST /predict HTTP/1.1\r\nHost: t\r\nContent-Length: " + value
                                             + b"\r\n\r\n{}").startswith("invalid Content-Length"))

    def test_content_length_with_transfer_encoding_does_not_smuggle(self):
        raw = (b"POST /predict HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: 4\r\n"
               b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /v2/health/live HTTP/1.1\r\nHost: t\r\n\r\n")
        self.assertEqual(self.refused(raw), "Content-Length together with Transfer-Encoding is not accepted")

    def test_invalid_chunk_sizes(self):
        for size in (b"-1", b"+5", b"0x5", b" 5", b"5 ", b"", b"g", b"1" * 17):
            with self.subTest(size):
                raw = (b"POST /predict HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                       b"Transfer-Encoding: chunked\r\n\r\n" + size + b"\r\n" + b"x" * 200 + b"\r\n0\r\n\r\n")
                self.assertTrue(self.refused(raw).startswith("invalid chunk size"))

    def test_chunked_bodies_stop_at_the_limit_before_reading(self):
        raw = (b"POST /predict HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked"
               b"\r\n\r\nfffffff\r\n" + b"x" * 100000)
        self.assertEqual(self.refused(raw, 413), "chunked request body exceeds the limit of 4096 bytes")

    def test_chunk_extension_abuse_and_missing_crlf_after_data(self):
        raw = (b"POST /predict HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked"
               b"\r\n\r\n" + (b"1;" + b"e" * 4000 + b"\r\nx\r\n") * 5 + b"0\r\n\r\n")
        self.assertEqual(self.refused(raw), "chunk extensions exceed 16384 bytes")
        raw = (b"POST /predict HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked"
               b"\r\n\r\n2\r\n{}XX0\r\n\r\n")
        self.assertEqual(self.refused(raw), "chunk data not followed by CRLF")

    def test_transfer_codings(self):
        self.assertTrue(self.refused(b"POST /predict HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked, chunked"
                                     b"\r\n\r\n0\r\n\r\n").startswith("Transfer-Encoding must end in chunked"))
        self.assertTrue(self.refused(b"POST /predict HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip\r\n\r\n")
                        .startswith("Transfer-Encoding must end in chunked"))
        self.assertEqual(self.refused(b"POST /predict HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked"
                                      b"\r\n\r\n0\r\n\r\n", 501), "transfer coding gzip is not supported")
        self.assertEqual(self.refused(b"POST /predict HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                         "Transfer-Encoding in an HTTP/1.0 request is not accepted")

    def test_obs_fold_bare_lf_bare_cr_and_malformed_lines(self):
        self.assertEqual(self.refused(b"GET /v2 HTTP/1.1\r\nHost: t\r\nX-A: 1\r\n folded\r\n\r\n"),
                         "obsolete line folding in the header section is not accepted")
        self.assertEqual(self.refused(b"GET /v2 HTTP/1.1\r\nHost: t\nX-A: 1\r\n\r\n"),
                         "a header line ends in a bare LF; lines must end in CRLF")
        self.assertEqual(self.refused(b"GET /v2 HTTP/1.1\n\n"), "request line ends in a bare LF; lines must end in CRLF")
        self.assertEqual(self.refused(b"GET /v2 HTTP/1.1\r\nHost: t\r\nX-A: 1\r2\r\n\r\n"),
                         "a header line contains a bare CR")
        self.assertEqual(self.refused(b"GET /v2 HTTP/1.1\r\nHost: t\r\nX-A : 1\r\n\r\n"),
                         "malformed header line (expected name: value)")
        self.assertEqual(self.refused(b"GET  /v2 HTTP/1.1\r\nHost: t\r\n\r\n"),
                         "malformed request line (expected method SP request-target SP HTTP-version)")
        self.assertEqual(self.refused(b"GET /v2 HTTP/1.1\r\n\r\n"), "an HTTP/1.1 request needs exactly one Host header")
        self.assertEqual(self.refused(b"GET /v2 HTTP/2.0\r\nHost: t\r\n\r\n", 505),
                         "HTTP version HTTP/2.0 is not supported; use HTTP/1.1")

    def test_header_count_and_size_limits(self):
        self.assertEqual(self.refused(b"GET /v2 HTTP/1.1\r\nHost: t\r\n" + b"X-A: 1\r\n" * 101 + b"\r\n", 431),
                         "more than 100 header fields")
        self.assertEqual(self.refused(b"GET /v2 HTTP/1.1\r\nHost: t\r\nX-A: " + b"a" * 70000 + b"\r\n\r\n", 431),
                         "header section larger than 65536 bytes")
        self.assertEqual(self.refused(b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: t\r\n\r\n", 414),
                         "request line longer than 8192 bytes")

    def test_well_formed_requests_still_pass(self):
        body = b'{"instances": [[20, 22]]}'
        chunked = (b"POST /predict HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nTransfer-Encoding: Chunked"
                   b"\r\n\r\n5;name=value\r\n" + body[:5] + b"\r\n" + format(len(body) - 5, "X").encode() + b"\r\n"
                   + body[5:] + b"\r\n0\r\nX-Trailer: 1\r\n\r\n")
        responses = exchange(self.port, b"\r\n" + chunked + HEALTH + post("/predict", body))
        self.assertEqual([(r.status, r.json()) for r in responses],
                         [(200, {"predictions": [42]}), (200, {"live": True}), (200, {"predictions": [42]})])
        http10 = self.one(b"GET /v2/health/live HTTP/1.0\r\n\r\n")
        self.assertEqual((http10.status, http10.headers.get("connection")), (200, "close"))


class OpenInferenceProtocolTest(HarnessTestCase):
    def test_integer_datatypes_are_range_checked(self):
        cases = [("INT8", 1000, "1000 is out of range for INT8 (-128 to 127)"),
                 ("INT8", -129, "-129 is out of range for INT8 (-128 to 127)"),
                 ("UINT8", -1, "-1 is out of range for UINT8 (0 to 255)"),
                 ("UINT16", 65536, "65536 is out of range for UINT16 (0 to 65535)"),
                 ("INT32", 2 ** 31, "2147483648 is out of range for INT32 (-2147483648 to 2147483647)"),
                 ("INT64", 2 ** 63, "9223372036854775808 is out of range for INT64 (-9223372036854775808 to "
                                    "9223372036854775807)"),
                 ("UINT64", 2 ** 64, "18446744073709551616 is out of range for UINT64 (0 to 18446744073709551615)"),
                 ("FP16", 70000, "70000 is out of range for FP16 (largest magnitude 65504.0)")]
        for datatype, value, message in cases:
            with self.subTest(datatype):
                body = '{"inputs": [{"name": "x", "shape": [1, 1], "datatype": "%s", "data": [%d]}]}' % (datatype, value)
                self.assertEqual(self.error(post("/v2/models/echo/infer", body), 400), "inputs[0].data[0]: " + message)
        body = '{"inputs": [{"name": "x", "shape": [1, 2], "datatype": "INT8", "data": [127, -128]}]}'
        self.assertEqual(self.one(post("/v2/models/echo/infer", body)).json()["outputs"][0]["data"], [-1])

    def test_model_ready_names_the_model(self):
        self.assertEqual(self.one(b"GET /v2/models/echo/ready HTTP/1.1\r\nHost: t\r\n\r\n").json(),
                         {"name": "echo", "ready": True})
        self.assertEqual(self.one(b"GET /v2/models/echo/versions/7/ready HTTP/1.1\r\nHost: t\r\n\r\n").json(),
                         {"name": "echo", "ready": True})

    def test_an_unknown_requested_output_is_a_400(self):
        body = ('{"inputs": [{"name": "x", "shape": [1, 2], "datatype": "FP64", "data": [1, 2]}],'
                ' "outputs": [{"name": "probabilities"}]}')
        self.assertEqual(self.error(post("/v2/models/echo/infer", body), 400),
                         'outputs[0]: unknown output "probabilities"; this model produces "output-0"')
        body = body.replace("probabilities", "output-0")
        self.assertEqual(self.one(post("/v2/models/echo/infer", body)).json()["outputs"][0]["data"], [3])

    def test_parameters_must_hold_scalars(self):
        body = ('{"parameters": {"a": [1]}, "inputs": [{"name": "x", "shape": [1], "datatype": "FP64", '
                '"data": [1]}]}')
        self.assertEqual(self.error(post("/v2/models/echo/infer", body), 400),
                         "parameters.a: must be a string, number or boolean, was array")

    def test_metadata_has_the_platform_and_the_real_output_type(self):
        harness, port = start_harness()
        try:
            def metadata():
                responses = exchange(port, b"GET /v2/models/echo HTTP/1.1\r\nHost: t\r\n\r\n")
                return responses[0].json()
            self.assertEqual(metadata()["platform"], "python_module")
            self.assertEqual(metadata()["outputs"], [protocol.UNKNOWN_OUTPUT_METADATA])
            body = '{"inputs": [{"name": "x", "shape": [2, 2], "datatype": "INT32", "data": [1, 2, 3, 4]}]}'
            output = exchange(port, post("/v2/models/echo/infer", body))[0].json()["outputs"][0]
            self.assertEqual(output, {"name": "output-0", "shape": [2], "datatype": "INT64", "data": [3, 7]})
            self.assertEqual(metadata()["outputs"], [{"name": "output-0", "datatype": "INT64", "shape": [-1]}])
        finally:
            harness.shutdown()
            harness.server_close()

    def test_non_uniform_output_is_json_text_not_mislabelled(self):
        output = protocol.v2_output([1, "a", None])
        self.assertEqual(output, {"name": "output-0", "shape": [3], "datatype": "BYTES",
                                  "data": ["1", '"a"', "null"]})
        self.assertEqual(protocol.v2_output([1, 2.5])["datatype"], "FP64")
        self.assertEqual(protocol.v2_output([2 ** 63])["datatype"], "UINT64")


if __name__ == "__main__":
    unittest.main()
