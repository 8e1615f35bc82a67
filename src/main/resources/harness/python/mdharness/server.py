"""HTTP/1.1 server and process supervision for one model version.

One listening socket is bound before the workers fork, so all workers accept from it and the kernel spreads the
connections; each worker has its own threads and a slot in the shared metrics. A Python model is loaded once, in the
supervisor, before the workers fork: they share its pages copy-on-write (an R model is loaded by each worker, since
embedded R cannot be forked safely once started). How many workers `auto` means is decided in sizing.py.
"""
import argparse
import collections
import ctypes
import errno
import faulthandler
import gc
import http.client
import json
import os
import random
import re
import select
import shutil
import signal
import socket
import sys
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from socketserver import BaseServer

from mdharness import HARNESS_VERSION, feedback, protocol, runtimes, sizing
from mdharness.metrics import SharedMetrics

JSON = "application/json"
DEFAULT_MAX_BODY_BYTES = 1 << 20
DEFAULT_PREDICT_TIMEOUT = 30.0
# Slow clients: a connection may wait this long for its next request line (keep-alive idle: the 75 s this harness
# always allowed, kept so proxies that pool upstream connections see no change), then has this long to send the rest
# of the request head; each worker holds at most this many connections (one thread each).
DEFAULT_IDLE_TIMEOUT = 75.0
DEFAULT_HEADER_TIMEOUT = 10.0
DEFAULT_MAX_CONNECTIONS = 2048
INJECT_ERROR_RATE_ENV = "MODEL_DEPLOY_INJECT_ERROR_RATE"
INJECTED_FAULT_HEADER = "X-Model-Deploy-Injected-Fault"


def log(message):
    # A log line must never stop a stop: the reader of stderr may be gone (a parent that closed its end of the pipe
    # while signalling us, e.g. Java's Process.destroy), and an EPIPE here would end the drain with an exception.
    try:
        sys.stderr.write("[model-deploy harness pid %d] %s\n" % (os.getpid(), message))
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


class WorkerState:
    """What every request thread of one worker reads: the model, its readiness and whether we are draining."""

    def __init__(self, config, runtime, metrics):
        self.name = config["name"]
        self.version = config["version"]
        self.runtime_name = config["runtime"]
        self.signature = config.get("signature")
        self.max_body = int(config.get("maxBodyBytes") or DEFAULT_MAX_BODY_BYTES)
        self.injected_error_rate = injected_error_rate()
        self.runtime = runtime
        self.metrics = metrics
        self.ready = False
        self.draining = threading.Event()
        self.connections = {}
        self.connections_lock = threading.Lock()
        self.output_metadata = None  # the V2 output's datatype and shape, once a prediction has shown them
        # Predictions remembered by request id for /feedback; Worker.run replaces these with the configured store
        # and the lookup in the other workers' stores.
        self.feedback_store = feedback.Store()
        self.peers = feedback.Peers(None, 0, self.feedback_store)

    def crash_looping(self):
        """The supervisor saw workers keep dying: readiness fails (predictions are still served while we can)."""
        return self.metrics.crash_loop()


class HarnessServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 1024

    def __init__(self, listening_socket, state, max_connections=DEFAULT_MAX_CONNECTIONS):
        # Take the already-bound socket: BaseServer, not TCPServer.__init__, which would bind a new one.
        BaseServer.__init__(self, listening_socket.getsockname(), _TimedHandler)
        self.socket = listening_socket
        self.state = state
        self.max_connections = max_connections

    def verify_request(self, request, client_address):
        """One thread per connection: past `max_connections` a new one is answered 503 and closed, so a flood of
        connections cannot exhaust the process's threads or memory (the other workers may still have room)."""
        state = self.state
        with state.connections_lock:
            open_connections = len(state.connections)
        if open_connections < self.max_connections:
            return True
        _send_and_close(request, 503, "too many connections: this worker already holds %d" % open_connections,
                        state, (("Retry-After", "1"),))
        return False

    def handle_error(self, request, client_address):
        """A client that went away (reset, broken pipe, a connection we closed on a timeout) is not worth a
        traceback in the log; anything else is."""
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)

    def drain_backlog(self):
        """Serve connections that reached the kernel's queue before we stopped accepting, instead of resetting them."""
        while True:
            try:
                connection, address = self.socket.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return
            connection.setblocking(True)
            self.process_request(connection, address)


# Request framing limits (RFC 9112). Past them a request is refused before any body is read.
MAX_REQUEST_LINE = 8192  # bytes, CRLF included; longer: 414
MAX_HEADER_FIELDS = 100  # field lines per request (and per chunked trailer section); more: 431
MAX_HEADER_BYTES = 65536  # request line and field lines together; more: 431
MAX_CHUNK_LINE = 4096  # one chunk-size line with its extensions
MAX_CHUNK_EXTENSION_BYTES = 16384  # all chunk extensions of one body: a body of one-byte chunks cannot hide a flood
LINGER_SECONDS = 1.0  # after a framing error, how long unread input is drained before the close (RFC 9112 §9.6)
LINGER_BYTES = 1 << 20

# RFC 9110 §5.6.2 token: method and field names.
_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# RFC 9110 §5.5: a field value has no control characters other than HTAB (so no NUL, bare CR or LF).
_FIELD_VALUE_BAD = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")
_TARGET_BAD = re.compile(rb"[\x00-\x20\x7f]")
_VERSION = re.compile(rb"HTTP/([0-9])\.([0-9])")
_DIGITS = re.compile(rb"[0-9]{1,18}")
_HEX = re.compile(rb"[0-9A-Fa-f]{1,16}")


class _Refused(Exception):
    """The request cannot be framed or parsed: answer `status` with the message and close the connection."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


class HarnessHandler(BaseHTTPRequestHandler):
    """One connection. The request line, the header section and the body framing are parsed here, strictly (RFC
    9112), rather than by BaseHTTPRequestHandler.parse_request, which accepts bare LF, obs-fold, duplicate and
    signed Content-Length values and `-1` chunk sizes (each a request-smuggling or limit-bypass vector). Every request
    whose first line arrived gets exactly one answer, counted in /metrics; a framing error answers 400 and closes."""

    protocol_version = "HTTP/1.1"
    server_version = "model-deploy-harness/" + HARNESS_VERSION
    sys_version = ""

    def version_string(self):
        return self.server_version

    # Buffer the whole response: headers and body leave in one write (flushed once per request by the base class).
    wbufsize = 1 << 16
    timeout = 75  # idle keep-alive connections are closed after this many seconds

    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.idle_since = time.monotonic()
        self.unread_input = False
        state = self.server.state
        with state.connections_lock:
            state.connections[id(self)] = self

    def finish(self):
        try:
            super().finish()
            if self.unread_input:
                self._linger()
        except OSError:
            pass
        finally:
            state = self.server.state
            with state.connections_lock:
                state.connections.pop(id(self), None)

    def _linger(self):
        """Closing with unread input makes the kernel send RST, which can destroy the error answer before the client
        reads it: half-close, then read and drop what the client still sends for a bounded time (RFC 9112 §9.6)."""
        self.connection.shutdown(socket.SHUT_WR)
        deadline = time.monotonic() + LINGER_SECONDS
        drained = 0
        while drained < LINGER_BYTES:
            left = deadline - time.monotonic()
            if left <= 0:
                return
            self.connection.settimeout(left)
            data = self.connection.recv(65536)
            if not data:
                return
            drained += len(data)

    def log_request(self, code="-", size="-"):
        pass

    def log_message(self, format, *args):
        pass  # no access log: metrics count requests; errors are logged where they happen

    def send_error(self, code, message=None, explain=None):
        """Errors the base class may still raise answer in JSON too."""
        self._reply_error(code, message or self.responses.get(code, ("error",))[0], route="unmatched", close=True)

    # --- one request ------------------------------------------------------------------------------------------

    def handle_one_request(self):
        self.idle_since = time.monotonic()
        self.started = None
        self.answered = False
        self.request_id = None  # set for prediction routes: the X-Request-Id of the answer
        self.remember = None  # (ids, predictions) to keep for feedback once the answer's size is known
        self.command = None
        self.requestline = ""
        self.request_version = "HTTP/1.1"  # the version our answers carry, also for a request we cannot parse
        try:
            line = self._first_request_line()
        except OSError:  # the idle timeout or a reset: nothing was asked, nothing to answer
            self.close_connection = True
            return
        if not line:
            self.close_connection = True
            return
        self.idle_since = None
        self.started = time.perf_counter()
        route = "unmatched"
        try:
            self._parse_head(line)
            if self.expect_continue and not self.handle_expect_100():
                return
            handler = getattr(self, "do_" + self.command, None)
            if handler is None:
                raise _Refused(501, "method %s is not implemented" % self.command)
            handler()
        except _Refused as e:
            self.unread_input = True
            self._answer_failure(e.status, e.message, "unmatched")
        except (socket.timeout, TimeoutError):
            # The client stopped sending in the middle of a request: it still gets its answer.
            self.unread_input = True
            self._answer_failure(408, "request not received in time", route)
        except (ConnectionError, BrokenPipeError):
            self.close_connection = True  # the client is gone: nobody to answer
            return
        except BaseException as e:  # noqa: B902 — a request must never end without its answer
            log("request failed in the harness:\n" + traceback.format_exc().rstrip())
            self._answer_failure(500, "internal error: %s: %s" % (type(e).__name__, _first_line(e)), route)
        try:
            self.wfile.flush()
        except OSError:
            self.close_connection = True

    def _answer_failure(self, status, message, route):
        if self.answered:
            self.close_connection = True  # an answer was (partly) written: close rather than write a second one
            return
        try:
            self._reply_error(status, message, route, close=True)
        except OSError:
            self.close_connection = True

    def _first_request_line(self):
        # RFC 9112 §2.2: a server SHOULD ignore at least one empty line received before the request line.
        for _ in range(4):
            line = self.rfile.readline(MAX_REQUEST_LINE + 1)
            if line != b"\r\n":
                return line
        return b"\r\n"

    def _parse_head(self, line):
        """Request line and field section (RFC 9112 §2-§6); raises _Refused for anything not well-formed."""
        if len(line) > MAX_REQUEST_LINE:
            raise _Refused(414, "request line longer than %d bytes" % MAX_REQUEST_LINE)
        text = self._strict_line(line, "request line")
        parts = text.split(b" ")
        if len(parts) != 3 or not all(parts):
            raise _Refused(400, "malformed request line (expected method SP request-target SP HTTP-version)")
        method, target, version = parts
        if not _TOKEN.fullmatch(method):
            raise _Refused(400, "malformed request line: invalid method")
        self.command = method.decode("ascii")
        version_match = _VERSION.fullmatch(version)
        if not version_match:
            raise _Refused(400, "malformed request line: invalid HTTP version")
        if version_match.group(1) != b"1":
            raise _Refused(505, "HTTP version %s is not supported; use HTTP/1.1" % version.decode("ascii"))
        self.request_version = version.decode("ascii")
        if _TARGET_BAD.search(target):
            raise _Refused(400, "malformed request line: invalid request target")
        if target.startswith((b"http://", b"https://")):  # absolute-form (RFC 9112 §3.2.2): keep only the path
            target = b"/" + target.split(b"/", 3)[3] if target.count(b"/") >= 3 else b"/"
        self.path = target.decode("latin-1")
        self.requestline = text.decode("latin-1")
        self.headers = self._read_fields(MAX_HEADER_BYTES - len(line), "header")
        self._check_framing()

    @staticmethod
    def _strict_line(line, what):
        # RFC 9112 §2.2: lines end in CRLF; a bare CR is invalid. We reject a bare LF too: a front end that accepts
        # it while we do not (or the reverse) would split the same bytes into different requests.
        if not line.endswith(b"\r\n"):
            if line.endswith(b"\n"):
                raise _Refused(400, "%s ends in a bare LF; lines must end in CRLF" % what)
            raise _Refused(400, "%s is incomplete (connection closed before CRLF)" % what)
        text = line[:-2]
        if b"\r" in text:
            raise _Refused(400, "%s contains a bare CR" % what)
        return text

    def _read_fields(self, budget, what):
        fields = http.client.HTTPMessage()
        count = 0
        while True:
            line = self.rfile.readline(max(budget, 0) + 1)
            if len(line) > budget:
                raise _Refused(431, "%s section larger than %d bytes" % (what, MAX_HEADER_BYTES))
            budget -= len(line)
            if line == b"\r\n":
                return fields
            text = self._strict_line(line, "a %s line" % what)
            if text[:1] in (b" ", b"\t"):
                raise _Refused(400, "obsolete line folding in the %s section is not accepted" % what)  # §5.2
            name, colon, value = text.partition(b":")
            if not colon or not _TOKEN.fullmatch(name):
                # §5.1: no whitespace is allowed between the field name and the colon.
                raise _Refused(400, "malformed %s line (expected name: value)" % what)
            value = value.strip(b" \t")
            if _FIELD_VALUE_BAD.search(value):
                raise _Refused(400, "%s %s contains a control character" % (what, name.decode("ascii")))
            count += 1
            if count > MAX_HEADER_FIELDS:
                raise _Refused(431, "more than %d %s fields" % (MAX_HEADER_FIELDS, what))
            fields[name.decode("ascii")] = value.decode("latin-1")

    def _check_framing(self):
        """Message body length (RFC 9112 §6.1, §6.3), Host (§3.2), persistence (§9.3), Expect (RFC 9110 §10.1.1)."""
        headers = self.headers
        http10 = self.request_version == "HTTP/1.0"
        if not http10 and len(headers.get_all("Host") or ()) != 1:
            raise _Refused(400, "an HTTP/1.1 request needs exactly one Host header")
        lengths = headers.get_all("Content-Length") or []
        codings = headers.get_all("Transfer-Encoding") or []
        self.chunked = False
        self.content_length = None
        if codings:
            if lengths:
                raise _Refused(400, "Content-Length together with Transfer-Encoding is not accepted")
            if http10:
                raise _Refused(400, "Transfer-Encoding in an HTTP/1.0 request is not accepted")
            names = [c.strip().lower() for value in codings for c in value.split(",")]
            if names[-1] != "chunked" or names.count("chunked") != 1:
                raise _Refused(400, "Transfer-Encoding must end in chunked, once; was %s" % ", ".join(names))
            if len(names) > 1:
                raise _Refused(501, "transfer coding %s is not supported" % names[0])
            self.chunked = True
        elif lengths:
            if len(lengths) > 1:
                raise _Refused(400, "more than one Content-Length header")
            if not _DIGITS.fullmatch(lengths[0].encode("latin-1")):
                raise _Refused(400, "invalid Content-Length: %s" % lengths[0][:40])
            self.content_length = int(lengths[0])
        connection = {t.strip().lower() for t in (headers.get("Connection") or "").split(",")}
        if "close" in connection or (http10 and "keep-alive" not in connection):
            self.close_connection = True
        else:
            self.close_connection = False
        self.expect_continue = (not http10 and (headers.get("Expect") or "").strip().lower() == "100-continue")

    def handle_expect_100(self):
        if (self.content_length or 0) > self.server.state.max_body:
            self._reply_error(413, self._too_large_message(self.content_length), route="unmatched", close=True)
            return False
        self.send_response_only(100)
        self.end_headers()
        self.wfile.flush()
        return True

    # --- dispatch -------------------------------------------------------------------------------------------

    def do_GET(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def do_PATCH(self):
        self._dispatch("PATCH")

    def do_HEAD(self):
        self._dispatch("HEAD")

    def _dispatch(self, method):
        state = self.server.state
        path = self.path.split("?", 1)[0]
        route, allowed, params = _match(path)
        if route == "predict" or route == "infer":
            given = self.headers.get("X-Request-Id")
            self.request_id = feedback.request_id(given)
            self.request_id_given = self.request_id == given
        if route is None:
            self._discard_body()
            self._reply_error(404, "no route for %s %s" % (method, path[:200]), "unmatched")
            return
        if method != allowed:
            self._discard_body()
            self._reply_error(405, "%s %s is not allowed; use %s" % (method, path, allowed), route,
                              headers=(("Allow", allowed),))
            return
        if "name" in params and params["name"] != state.name:
            self._discard_body()
            self._reply_error(404, 'model "%s" not found; this server serves "%s"' % (params["name"][:200],
                                                                                     state.name), route)
            return
        if params.get("version") not in (None, state.version):
            self._discard_body()
            self._reply_error(404, 'model "%s" has no version "%s"; this server serves version "%s"'
                              % (state.name, params["version"][:200], state.version), route)
            return
        getattr(self, "_" + route)(route)

    # --- routes ---------------------------------------------------------------------------------------------

    def _predict(self, route):
        document = self._read_json(route)
        if document is _UNREAD:
            return
        state = self.server.state
        try:
            instances = protocol.instances_from_simple(document, state.signature)
        except protocol.BadRequest as e:
            self._reply_error(400, str(e), route)
            return
        predictions = self._call_model(instances, route)
        if predictions is _UNREAD:
            return
        if state.output_metadata is None:
            self._learn_output_metadata(predictions)
        self.remember = ((self.request_id,), predictions)
        self._reply_json(200, {"predictions": predictions}, route)

    def _learn_output_metadata(self, predictions):
        try:
            self.server.state.output_metadata = protocol.v2_output_metadata(protocol.v2_output(predictions))
        except protocol.ModelOutputError:
            pass  # /predict can carry it; metadata keeps saying "not known yet"

    def _infer(self, route):
        document = self._read_json(route)
        if document is _UNREAD:
            return
        state = self.server.state
        try:
            instances, request_id = protocol.instances_from_v2(document, state.signature)
            protocol.check_requested_outputs(document)
        except protocol.BadRequest as e:
            self._reply_error(400, str(e), route)
            return
        if request_id is not None and not self.request_id_given and feedback.request_id(request_id) == request_id:
            self.request_id = request_id  # no X-Request-Id header: the V2 id is the request id
        predictions = self._call_model(instances, route)
        if predictions is _UNREAD:
            return
        try:
            output = protocol.v2_output(predictions)
        except protocol.ModelOutputError as e:
            log("model output rejected: %s" % e)
            self._reply_error(500, str(e), route)
            return
        if state.output_metadata is None:
            state.output_metadata = protocol.v2_output_metadata(output)
        response = {"model_name": state.name, "model_version": state.version,
                    "id": self.request_id if request_id is None else request_id, "outputs": [output]}
        if request_id is None or request_id == self.request_id:
            self.remember = ((self.request_id,), predictions)
        else:
            self.remember = ((self.request_id, request_id), predictions)
        self._reply_json(200, response, route)

    def _feedback(self, route):
        document = self._read_json(route)
        if document is _UNREAD:
            return
        peers = self.server.state.peers
        try:
            items = feedback.parse(document)
            deltas = feedback.score(items, peers.find(list({item[0] for item in items})))
        except feedback.BadFeedback as e:
            self._reply_error(e.status, e.message, route)
            return
        self.server.state.metrics.add_feedback(deltas)
        self._reply_json(200, {"accepted": len(items), "labelled": int(deltas[0]), "rewards": int(deltas[5])},
                         route)

    def _model_metadata(self, route):
        state = self.server.state
        self._reply_json(200, {
            "name": state.name,
            "versions": [state.version],
            "platform": protocol.platform(state.runtime_name),
            "inputs": protocol.v2_tensor_metadata(state.signature),
            "outputs": [state.output_metadata or protocol.UNKNOWN_OUTPUT_METADATA],
        }, route)

    def _model_ready(self, route):
        # OIP "model ready": {"name", "ready"}; 200 when ready, 503 (with the reason) when not.
        state = self.server.state
        ready, reason = self._readiness()
        payload = {"name": state.name, "ready": ready}
        if reason:
            payload["reason"] = reason
        self._reply_json(200 if ready else 503, payload, route)

    def _server_metadata(self, route):
        self._reply_json(200, {"name": "model-deploy-harness", "version": HARNESS_VERSION, "extensions": []}, route)

    def _health_live(self, route):
        self._reply_json(200, {"live": True}, route)

    def _health_ready(self, route):
        ready, reason = self._readiness()
        if ready:
            self._reply_json(200, {"ready": True}, route)
        else:
            self._reply_json(503, {"ready": False, "reason": reason}, route)

    def _readiness(self):
        state = self.server.state
        if state.draining.is_set():
            return False, "shutting down"
        if not state.ready:
            return False, "model is loading"
        if state.crash_looping():  # sup: the supervisor saw workers keep dying
            return False, "workers keep dying (crash loop)"
        return True, None

    def _metrics(self, route):
        state = self.server.state
        body = state.metrics.render(state.name, state.version).encode("utf-8")
        self._reply(200, body, "text/plain; version=0.0.4; charset=utf-8", route)

    # --- request and response plumbing -----------------------------------------------------------------------

    def _call_model(self, instances, route):
        """The predictions as plain JSON values, or _UNREAD after answering the error."""
        state = self.server.state
        if not state.ready:
            self._reply_error(503, 'model "%s" is not ready yet (loading)' % state.name, route,
                              headers=(("Retry-After", "1"),))
            return _UNREAD
        if state.injected_error_rate and random.random() < state.injected_error_rate:
            # A fault asked for by the operator (the demo's worse version), marked so proxies can tell it apart.
            self._reply_error(503, "injected fault (%s=%s)" % (INJECT_ERROR_RATE_ENV, state.injected_error_rate),
                              route, headers=((INJECTED_FAULT_HEADER, "1"),))
            return _UNREAD
        try:
            raw = state.runtime.predict(instances)
            return protocol.to_plain(raw, len(instances))
        except runtimes.PredictionTimeout as e:
            self._reply_error(504, str(e), route)
        except protocol.ModelOutputError as e:
            log("model output rejected: %s" % e)
            self._reply_error(500, str(e), route)
        except BaseException as e:  # noqa: B902
            # Model code may raise anything, SystemExit and KeyboardInterrupt included (sys.exit() in a request
            # thread would otherwise end the thread silently, leaving the client without an answer). The worker's
            # own stop never arrives here: its signal handlers only set an event on the main thread.
            log("prediction failed:\n" + traceback.format_exc().rstrip())
            self._reply_error(500, "prediction failed: %s: %s" % (type(e).__name__, _first_line(e)), route)
        return _UNREAD

    def _too_large_message(self, size):
        return "request body of %d bytes exceeds the limit of %d bytes" % (size, self.server.state.max_body)

    def _read_json(self, route):
        """The request body as parsed JSON (which may be None, JSON null), or _UNREAD after answering the error."""
        body = self._read_body(route)
        if body is None:
            return _UNREAD
        content_type = (self.headers.get("Content-Type") or "").split(";", 1)[0].strip().lower()
        if content_type and content_type != JSON and not content_type.endswith("+json"):
            self._reply_error(415, "Content-Type must be application/json, was %s" % content_type[:100], route)
            return _UNREAD
        try:
            return protocol.parse_json_body(body)
        except protocol.BadRequest as e:
            self._reply_error(400, str(e), route)
            return _UNREAD

    def _read_body(self, route):
        """The whole body, or None after answering the error."""
        limit = self.server.state.max_body
        if self.chunked:
            return self._read_chunked(route, limit)
        length = self.content_length
        if length is None:
            self._reply_error(411, "Content-Length or chunked Transfer-Encoding required", route, close=True)
            return None
        if length > limit:
            # The unread body would corrupt the next request on this connection: answer, then close.
            self.unread_input = True
            self._reply_error(413, self._too_large_message(length), route, close=True)
            return None
        body = self.rfile.read(length)
        if len(body) != length:
            self._reply_error(400, "request body ended after %d of %d bytes" % (len(body), length), route,
                              close=True)
            return None
        return body

    def _read_chunked(self, route, limit):
        """RFC 9112 §7.1, strictly: chunk-size is 1*HEXDIG (no sign, prefix or blank), each chunk ends in CRLF, the
        limit is checked before each chunk is read, extensions and trailers are bounded."""
        chunks = []
        total = 0
        extensions = 0
        try:
            while True:
                line = self.rfile.readline(MAX_CHUNK_LINE + 1)
                if len(line) > MAX_CHUNK_LINE:
                    raise _Refused(400, "chunk-size line longer than %d bytes" % MAX_CHUNK_LINE)
                text = self._strict_line(line, "a chunk-size line")
                size_text, semicolon, extension = text.partition(b";")
                if semicolon:
                    size_text = size_text.rstrip(b" \t")  # BWS before the extension
                    extensions += len(extension) + 1
                    if extensions > MAX_CHUNK_EXTENSION_BYTES:
                        raise _Refused(400, "chunk extensions exceed %d bytes" % MAX_CHUNK_EXTENSION_BYTES)
                    if _FIELD_VALUE_BAD.search(extension):
                        raise _Refused(400, "chunk extension contains a control character")
                if not _HEX.fullmatch(size_text):
                    raise _Refused(400, "invalid chunk size %r" % size_text[:20].decode("latin-1"))
                size = int(size_text, 16)
                if size == 0:
                    self._read_fields(MAX_HEADER_BYTES, "trailer")  # read and dropped: we use no trailer field
                    return b"".join(chunks)
                if total + size > limit:
                    self.unread_input = True
                    self._reply_error(413, "chunked request body exceeds the limit of %d bytes" % limit, route,
                                      close=True)
                    return None
                data = self.rfile.read(size)
                if len(data) != size:
                    raise _Refused(400, "chunked request body ended inside a chunk")
                total += size
                chunks.append(data)
                if self.rfile.read(2) != b"\r\n":
                    raise _Refused(400, "chunk data not followed by CRLF")
        except _Refused as e:
            self.unread_input = True
            self._reply_error(e.status, e.message, route, close=True)
            return None

    def _discard_body(self):
        length = self.content_length or 0
        if 0 < length <= self.server.state.max_body:
            self.rfile.read(length)
        elif length or self.chunked:
            self.unread_input = True
            self.close_connection = True

    def _reply_error(self, status, message, route, headers=(), close=False):
        if close:
            self.close_connection = True
        self._reply_json(status, {"error": message}, route, headers)

    def _reply_json(self, status, payload, route, headers=()):
        try:
            body = json.dumps(payload, separators=(",", ":"), allow_nan=False).encode("utf-8")
        except (TypeError, ValueError, RecursionError) as e:
            # protocol.to_plain checks model output first; this is the last guard, so the client still gets JSON.
            log("answer could not be encoded as JSON: %s: %s" % (type(e).__name__, _first_line(e)))
            status = 500
            body = json.dumps({"error": "the answer cannot be encoded as JSON: %s" % _first_line(e)}).encode()
        self._reply(status, body, JSON, route, headers)

    def _reply(self, status, body, content_type, route, headers=()):
        state = self.server.state
        if state.draining.is_set():
            self.close_connection = True
        self.answered = True
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Model-Name", state.name)
        self.send_header("X-Model-Version", state.version)
        if self.request_id is not None:
            self.send_header("X-Request-Id", self.request_id)
            if self.remember is not None and status == 200:
                ids, predictions = self.remember
                for key in ids:
                    state.feedback_store.remember(key, predictions, len(body))
        for name, value in headers:
            self.send_header(name, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        started = getattr(self, "started", None)
        state.metrics.observe(route, status, time.perf_counter() - started if started else 0.0)


_UNREAD = object()  # "already answered": distinct from None, which is a valid JSON body (null)


def injected_error_rate():
    """The share of predictions to fail on purpose, from the environment; 0 when unset."""
    value = os.environ.get(INJECT_ERROR_RATE_ENV, "").strip()
    if not value:
        return 0.0
    try:
        rate = float(value)
    except ValueError:
        rate = -1.0
    if not 0.0 <= rate <= 1.0:
        raise ValueError("%s must be a number between 0 and 1, was %r" % (INJECT_ERROR_RATE_ENV, value))
    return rate


def _first_line(error):
    text = str(error).strip()
    return text.splitlines()[0] if text else "(no message)"


def _match(path):
    """(route, allowed method, path parameters) or (None, None, {})."""
    if path == "/predict":
        return "predict", "POST", {}
    if path == "/metrics":
        return "metrics", "GET", {}
    if path == "/feedback":
        return "feedback", "POST", {}
    if path in ("/v2", "/v2/"):
        return "server_metadata", "GET", {}
    if path == "/v2/health/live":
        return "health_live", "GET", {}
    if path == "/v2/health/ready":
        return "health_ready", "GET", {}
    if path.startswith("/v2/models/"):
        parts = path[len("/v2/models/"):].split("/")
        params = {"name": parts[0]}
        rest = parts[1:]
        if len(rest) >= 2 and rest[0] == "versions":
            params["version"] = rest[1]
            rest = rest[2:]
        if not params["name"]:
            return None, None, {}
        if rest == []:
            return "model_metadata", "GET", params
        if rest == ["ready"]:
            return "model_ready", "GET", params
        if rest == ["infer"]:
            return "infer", "POST", params
        if rest == ["feedback"]:
            return "feedback", "POST", params
    return None, None, {}


# --- processes -----------------------------------------------------------------------------------------------

class _TimedHandler(HarnessHandler):
    """HarnessHandler plus the two times the worker needs to bound slow clients and to drain without cutting a
    request: `head_since` (waiting for a request head since) and `line_since` (still waiting for its request line,
    set as idle_since is, but cleared by the first line read, before the handler thread gets to parse it)."""

    def setup(self):
        self.head_since = self.line_since = self.line_at = time.monotonic()
        super().setup()
        self.rfile = _LineArrival(self.rfile, self)

    def handle_one_request(self):
        self.head_since = self.line_since = time.monotonic()
        super().handle_one_request()

    def _parse_head(self, line):
        # The head is complete once parsed (or refused, which answers and closes): from here a slow prediction is
        # bounded by the prediction timeout, not by the header timeout.
        try:
            super()._parse_head(line)
        finally:
            self.head_since = None


class _LineArrival:
    """The request stream, noting that a line arrived (so the connection is busy, not idle) the moment it did."""
    __slots__ = ("_stream", "_handler")

    def __init__(self, stream, handler):
        self._stream = stream
        self._handler = handler

    def readline(self, limit=-1):
        line = self._stream.readline(limit)
        handler = self._handler
        if handler.line_since is not None:
            handler.line_since = None
            handler.line_at = time.monotonic()
        return line

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _send_and_close(connection, status, message, state, headers=()):
    """An error answer written outside any handler (connection refused at the limit, request head timed out)."""
    body = json.dumps({"error": message}, separators=(",", ":")).encode("utf-8")
    head = ["HTTP/1.1 %d %s" % (status, BaseHTTPRequestHandler.responses[status][0]),
            "Content-Type: " + JSON, "Content-Length: %d" % len(body), "Connection: close",
            "X-Model-Name: " + state.name, "X-Model-Version: " + state.version]
    head += ["%s: %s" % header for header in headers]
    try:
        connection.settimeout(1.0)
        connection.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
    except OSError:
        pass
    _shutdown_quietly(connection)
    state.metrics.observe("unmatched", status, 0.0)


def _reap_slow_clients(state, idle_timeout, header_timeout, stop):
    """Closes connections idle longer than `idle_timeout` and those whose request head is not complete
    `header_timeout` after its first line (408, RFC 9110 section 15.5.9): a slow client (slowloris) holds a thread
    for a bounded time whatever pace it sends at, where a socket timeout alone restarts with every byte."""
    while not stop.wait(1.0):
        try:
            _close_slow_clients(state, idle_timeout, header_timeout)
        except Exception:  # never let this thread die: it is the only bound on slow clients
            log("closing slow connections failed:\n" + traceback.format_exc().rstrip())


def _close_slow_clients(state, idle_timeout, header_timeout):
    now = time.monotonic()
    with state.connections_lock:
        handlers = list(state.connections.values())
    for handler in handlers:
        head_since = getattr(handler, "head_since", None)
        if head_since is None:
            continue
        line_since = handler.line_since
        if line_since is not None:
            if now - line_since > idle_timeout:
                _shutdown_quietly(handler.connection)  # RFC 9112 section 9.8: idle connections may be closed
        elif now - handler.line_at > header_timeout:
            handler.head_since = None  # answered once
            _send_and_close(handler.connection, 408, "request head not received within %g s" % header_timeout,
                            state)


class Worker:
    """Serves requests from the shared socket. It loads the model itself, or is given one already loaded
    (`preloaded`, by the supervisor before fork), or serves only liveness and "model is loading" while the
    supervisor loads (`loading_only`)."""

    def __init__(self, config, listening_socket, metrics, slot, options, ready_pipe=None, preloaded=None,
                 loading_only=None, metrics_slot=None, accept_before_load=True):
        self.config = config
        self.socket = listening_socket
        self.metrics = metrics
        self.slot = slot
        # A replacement forked while the worker it replaces still drains counts in a spare slot: two processes never
        # add to the same slot (each slot's lock is per process).
        self.metrics_slot = slot if metrics_slot is None else metrics_slot
        self.options = options
        self.ready_pipe = ready_pipe
        self.preloaded = preloaded
        self.loading_only = loading_only
        self.stopping = threading.Event()
        self.recycling = False
        self.recycling_lock = threading.Lock()
        # False for a replacement while other workers serve: connections wait for a worker with the model, not 503.
        self.accept_before_load = accept_before_load

    def run(self):
        self.metrics.bind_worker(self.metrics_slot)
        faulthandler.register(signal.SIGUSR1, all_threads=True)  # `kill -USR1 <worker>` dumps every thread's stack
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        # A forked worker starts with the stop signals blocked (Supervisor._fork): a stop sent before its handler was
        # installed waits until now instead of running the supervisor's handler in this process.
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOP_SIGNALS)
        config = self.config
        runtime = self.preloaded or self.loading_only or runtimes.create(
            config["runtime"], config["modelDir"], config["entrypoint"], config.get("signature"),
            self.options.predict_timeout)
        runtime.on_timeout = self._on_prediction_timeout
        state = WorkerState(config, runtime, self.metrics)
        options = self.options
        state.feedback_store = feedback.Store(options.feedback_ids, options.feedback_bytes, options.feedback_ttl)
        state.peers = feedback.Peers(getattr(options, "feedback_peers", None), self.metrics_slot,
                                     state.feedback_store)
        if self.loading_only is None:
            state.peers.serve()
        server = HarnessServer(self.socket, state, self.options.max_connections)
        reaper_stop = threading.Event()
        threading.Thread(target=_reap_slow_clients, name="slow-clients", daemon=True,
                         args=(state, self.options.idle_timeout, self.options.header_timeout, reaper_stop)).start()
        # Few idle wake-ups: each one competes with requests for the GIL and the CPU.
        accept_thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.5},
                                         name="accept", daemon=True)
        if self.accept_before_load or self.preloaded is not None or self.loading_only is not None:
            accept_thread.start()
        if self.loading_only is not None:
            self._sleep_until_signalled()  # never ready: the supervisor stops us once the real workers are
            return self._drain(server, state, runtime)
        if self.preloaded is None:
            try:
                os.chdir(config["modelDir"])
                runtime.load()
            except BaseException:
                log("model %s version %s failed to load:\n%s" % (config["name"], config["version"],
                                                                 traceback.format_exc().rstrip()))
                self._report("F")
                return 3
            _freeze_loaded()
        if not accept_thread.is_alive():
            accept_thread.start()
        state.ready = True
        self._report("R")
        if runtime.needs_main_thread():
            while not self.stopping.is_set():
                runtime.run_pending(0.05)
        else:
            self._sleep_until_signalled()
        return self._drain(server, state, runtime)

    def _sleep_until_signalled(self):
        """Blocks without periodic wake-ups (each would compete with requests for the GIL) until SIGTERM/SIGINT.

        A blocked lock wait is not enough: the kernel may deliver the signal to a request thread, and Python runs
        handlers only on the main thread when it next executes. The wake-up fd is written by the C-level handler
        whichever thread gets the signal, so select() returns and the handler runs.
        """
        read_end, write_end = os.pipe()
        os.set_blocking(read_end, False)
        os.set_blocking(write_end, False)
        previous = signal.set_wakeup_fd(write_end)
        try:
            while not self.stopping.is_set():
                select.select([read_end], [], [], 5.0)
                try:
                    os.read(read_end, 512)
                except BlockingIOError:
                    pass
        finally:
            signal.set_wakeup_fd(previous)
            os.close(read_end)
            os.close(write_end)

    def _on_signal(self, signum, frame):
        self.stopping.set()

    def _on_prediction_timeout(self):
        """Called on the request thread that gives up on a prediction (it then answers 504). The thread running the
        model cannot be stopped from Python, so this worker stops accepting, finishes its other requests and exits;
        the supervisor forks its replacement at once ("T") and kills this one if the drain does not end."""
        self.metrics.observe_timeout()
        with self.recycling_lock:
            if self.recycling:
                return
            self.recycling = True
        log("a prediction exceeded the %g s prediction timeout; this worker finishes its other requests and is "
            "replaced" % self.options.predict_timeout)
        self._report("T")
        _kill_quietly(os.getpid(), signal.SIGTERM)  # wakes the main thread (its wake-up fd) into the drain

    @staticmethod
    def _idle(runtime):
        """10 ms of waiting that keeps serving R calls (which must run on this thread) while draining."""
        if runtime.needs_main_thread():
            runtime.run_pending(0.01)
        else:
            time.sleep(0.01)

    def _report(self, status):
        if self.ready_pipe is not None:
            os.write(self.ready_pipe, (status + chr(65 + self.slot)).encode("ascii"))

    def _drain(self, server, state, runtime):
        """Readiness goes false, no new connections, in-flight requests finish, idle connections close."""
        state.draining.set()
        stopper = threading.Thread(target=server.shutdown, daemon=True)
        stopper.start()
        while stopper.is_alive():
            self._idle(runtime)
        server.drain_backlog()
        server.socket.close()
        deadline = time.monotonic() + self.options.drain_timeout
        while time.monotonic() < deadline:
            now = time.monotonic()
            with state.connections_lock:
                handlers = list(state.connections.values())
            if not handlers:
                break
            for handler in handlers:
                # Idle: still waiting for a request line (line_since is cleared the moment one is read, before the
                # handler thread parses it) and nothing arrived in the kernel's buffer either. Under CPU load the
                # handler thread may not have run for a while: judged by idle_since alone (cleared only when it
                # parses), a request already received was cut with its connection (HarnessLifecycleIT's lost one).
                line_since = getattr(handler, "line_since", None)
                if line_since is not None and now - line_since >= self.options.idle_grace \
                        and not _bytes_waiting(handler.connection):
                    _shutdown_quietly(handler.connection)
            self._idle(runtime)
        with state.connections_lock:
            left = len(state.connections)
        if left:
            log("drain timeout: closing %d connection(s) still busy after %.1f s" % (left, self.options.drain_timeout))
        state.peers.close()
        return 0


def _bytes_waiting(connection):
    """Whether the client sent something not read yet. poll() first: the connection has a timeout, and for such a
    socket Python waits for readability (up to the timeout) before any recv, MSG_DONTWAIT or not."""
    try:
        poller = select.poll()
        poller.register(connection.fileno(), select.POLLIN)
        if not poller.poll(0):
            return False
        return connection.recv(1, socket.MSG_PEEK) != b""  # readable: returns at once (b"" at end of stream)
    except (OSError, ValueError):
        return False


def _freeze_loaded():
    """Everything loaded so far (interpreter, libraries, model) lives for the whole process: keep it out of the
    cyclic collector's way, so a full collection walks only what requests allocate (shorter GC pauses) and, after a
    fork, does not write to the pages the workers share (gc.freeze's documented use before fork)."""
    gc.collect()
    gc.freeze()


_STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}


class _StopWhileLoading(BaseException):
    """SIGTERM/SIGINT while the supervisor loads the model: abandon the load and exit."""


def _shutdown_quietly(connection):
    try:
        connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass


# A worker that dies is replaced after a back-off that doubles with each death in the window (0.1 s, 0.2 s, ... at most
# 10 s); from the 5th death within 60 s the workers answer readiness 503 (the pod leaves the Service and the crash
# shows) while the supervisor keeps replacing them, until 60 s pass without one. Gunicorn's arbiter (arbiter.py,
# manage_workers/reap_workers) likewise replaces dead workers, but halts the whole server when one fails to boot.
RESTART_BACKOFF_FIRST = 0.1
RESTART_BACKOFF_MAX = 10.0
CRASH_LOOP_DEATHS = 5
CRASH_LOOP_WINDOW = 60.0
# When our parent (serve, the local target) dies, in-flight requests get this long before the workers are killed.
PARENT_DEATH_GRACE = 1.0
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


class Supervisor:
    """Loads a Python model once (while a stand-in process answers liveness and "model is loading"), forks the
    workers, reports readiness once all are ready, replaces workers that die or hang, forwards SIGTERM/SIGINT and
    waits for the drain. It stops when the process that started it dies (`parent`, None when there is none to
    watch), and each worker dies with it (parent-death signal)."""

    def __init__(self, config, listening_socket, metrics, options, plan, parent=None):
        self.config = config
        self.socket = listening_socket
        self.metrics = metrics
        self.options = options
        self.plan = plan
        self.parent = parent
        self.stopping = False
        self.children = {}  # pid -> worker slot
        self.metric_slots = {}  # pid -> metrics slot

    def run(self, on_ready):
        read_end, write_end = os.pipe()
        config = self.config
        preloaded = None
        standin = None
        if self.options.preload:
            runtime = runtimes.create(config["runtime"], config["modelDir"], config["entrypoint"],
                                      config.get("signature"), self.options.predict_timeout)
            # A stop asked for while loading abandons the load (it may take minutes); installed before the stand-in
            # forks, so no signal finds this process without a handler while the stand-in holds the port.
            signal.signal(signal.SIGTERM, _stop_loading)
            signal.signal(signal.SIGINT, _stop_loading)
            started = time.monotonic()
            watcher = _ParentWatch(self.parent)
            try:
                # The port must answer while the model loads (startup and liveness probes; readiness 503): a forked
                # stand-in serves it, so this process stays single-threaded until the workers fork from it. Stop
                # signals are held until its pid is known here: a stop raised between the fork and this assignment
                # would leave the stand-in running, unknown, holding the port.
                previous = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
                standin = self._fork(Worker(config, self.socket, self.metrics, self.plan.count, self.options,
                                            loading_only=runtime), read_end, write_end)
                signal.pthread_sigmask(signal.SIG_SETMASK, previous)
                watcher.start()  # the load may take minutes: a parent dying meanwhile must still stop us
                os.chdir(config["modelDir"])
                runtime.load()
                watcher.stop()  # before fork: the workers fork from a single-threaded process
                _freeze_loaded()
            except _StopWhileLoading:
                watcher.stop()
                signal.signal(signal.SIGTERM, self._on_signal)  # a second stop must not interrupt the stopping
                signal.signal(signal.SIGINT, self._on_signal)
                log("stopped while loading the model")
                self._stop_all({standin: -1} if standin else {})
                return 0
            except BaseException:
                watcher.stop()
                log("model %s version %s failed to load:\n%s" % (config["name"], config["version"],
                                                                 traceback.format_exc().rstrip()))
                self._stop_all({standin: -1} if standin else {})
                return 3
            signal.signal(signal.SIGTERM, self._on_signal)
            signal.signal(signal.SIGINT, self._on_signal)
            anon, file_backed = sizing.resident_memory()
            log("model loaded once in the supervisor in %.1f s (resident: %s private, %s file-backed); forking the "
                "workers, which share it copy-on-write" % (time.monotonic() - started, sizing.format_bytes(anon),
                                                           sizing.format_bytes(file_backed)))
            count, rule = self.plan.fitted(anon + file_backed, anon, "measured after the load")
            preloaded = runtime
        else:
            anon, file_backed = sizing.resident_memory()
            count, rule = self.plan.fitted(anon + file_backed, sizing.DEFAULT_WORKER_BUDGET,
                                           "budget: the %s runtime loads in each worker" % config["runtime"])
        if self.plan.count == 1:
            count, rule = 1, self.plan.reason  # the memory fit never goes below one worker: nothing to add
        log("workers: %d (%s)" % (count, rule))
        self.options.workers = count

        def spawn(slot, replacement=False):
            # A replacement counts in its slot's spare while the worker it replaces may still drain in the first.
            primary, spare = slot, self.plan.count + 1 + slot
            metrics_slot = spare if primary in self.metric_slots.values() else primary
            # Held while forking: a stop arriving now is handled once the worker's pid is known (and the worker
            # unblocks it once its own handler is installed), never by the default action, which would orphan it.
            previous = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
            try:
                pid = self._fork(Worker(config, self.socket, self.metrics, slot, self.options, write_end, preloaded,
                                        metrics_slot=metrics_slot, accept_before_load=not replacement),
                                 read_end, write_end)
                self.children[pid] = slot
                self.metric_slots[pid] = metrics_slot
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, previous)

        previous = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
        for slot in range(count):
            spawn(slot)
        if standin is None:
            signal.signal(signal.SIGTERM, self._on_signal)
            signal.signal(signal.SIGINT, self._on_signal)
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
        # The supervisor keeps the listening socket (it never accepts) and the ready pipe's write end, to fork
        # replacements; it closes the socket as soon as it stops, so new connections are refused, not queued.
        ready = set()
        announced = False
        exit_code = 0
        replace_at = {}  # slot -> when its replacement forks
        recycling = {}  # pid of a worker replaced after a prediction timeout -> when to kill it if still draining
        deaths = collections.deque()  # when workers died, within CRASH_LOOP_WINDOW
        while True:
            if self.stopping:
                break
            if self._parent_gone():
                log("the process that started the harness (pid %d) is gone; stopping" % self.parent)
                exit_code = 1
                break
            now = time.monotonic()
            for slot, due in list(replace_at.items()):
                if due <= now:
                    del replace_at[slot]
                    spawn(slot, replacement=count > 1)
            for pid, deadline in list(recycling.items()):
                if deadline <= now:
                    log("worker pid %d, stuck in a prediction, did not finish draining in time; killing it" % pid)
                    _kill_quietly(pid, signal.SIGKILL)
                    recycling[pid] = float("inf")
            while deaths and now - deaths[0] > CRASH_LOOP_WINDOW:
                deaths.popleft()
            if not deaths and self.metrics.crash_loop():
                log("no worker died for %.0f s: ready again" % CRASH_LOOP_WINDOW)
                self.metrics.set_crash_loop(False)
            try:
                readable, _, _ = select.select([read_end], [], [], 0.1)
            except InterruptedError:
                continue
            if readable:
                data = os.read(read_end, 64)
                for i in range(0, len(data) - 1, 2):
                    status, slot = chr(data[i]), data[i + 1] - 65
                    if status == "R":
                        ready.add(slot)
                        if not announced and len(ready) == count and standin is not None:
                            # The workers accept now; the stand-in stops accepting, answers what it holds, exits.
                            _kill_quietly(standin, signal.SIGTERM)
                        elif not announced and len(ready) == count:
                            on_ready()
                            announced = True
                    elif status == "T":
                        # Stuck in a prediction: it drains; its replacement starts accepting now.
                        pid = next((p for p, s in self.children.items() if s == slot), None)
                        if pid is not None:
                            del self.children[pid]
                            ready.discard(slot)
                            recycling[pid] = time.monotonic() + self.options.drain_timeout + 5
                            self.metrics.count_restart("timeout")
                            spawn(slot, replacement=count > 1)
                    elif not announced:  # "F": a worker could not load the model at start
                        exit_code = 3
                        self.stopping = True
            while True:
                pid, status = _reap()
                if not pid:
                    break
                self.metric_slots.pop(pid, None)
                if pid == standin:
                    standin = None
                    if len(ready) == count:
                        on_ready()
                        announced = True
                    else:
                        log("the stand-in serving during the load exited unexpectedly (%s); stopping"
                            % _describe(status))
                        exit_code = exit_code or 1
                        self.stopping = True
                elif pid in recycling:
                    del recycling[pid]
                elif pid in self.children:
                    slot = self.children.pop(pid)
                    ready.discard(slot)
                    if not announced:
                        # Before the first readiness a death is a failure to start, not something to retry.
                        log("worker %d exited unexpectedly while starting (%s); stopping" % (slot, _describe(status)))
                        exit_code = exit_code or (3 if os.waitstatus_to_exitcode(status) == 3 else 1)
                        self.stopping = True
                        continue
                    now = time.monotonic()
                    deaths.append(now)
                    delay = min(RESTART_BACKOFF_FIRST * 2 ** (len(deaths) - 1), RESTART_BACKOFF_MAX)
                    log("worker %d (pid %d) exited unexpectedly (%s); replacing it in %.1f s"
                        % (slot, pid, _describe(status), delay))
                    if len(deaths) >= CRASH_LOOP_DEATHS and not self.metrics.crash_loop():
                        log("%d workers died within %.0f s: readiness fails until %.0f s pass without one"
                            % (len(deaths), CRASH_LOOP_WINDOW, CRASH_LOOP_WINDOW))
                        self.metrics.set_crash_loop(True)
                    self.metrics.count_restart("exited")
                    replace_at[slot] = now + delay
        self.socket.close()
        children = dict(self.children)
        children.update({pid: -1 for pid in recycling})
        if standin is not None:
            children[standin] = -1
        if self._parent_gone():
            return self._stop_all(children, exit_code, PARENT_DEATH_GRACE)
        return self._stop_all(children, exit_code)

    def _parent_gone(self):
        return self.parent is not None and os.getppid() != self.parent

    def _fork(self, worker, read_end, write_end):
        supervisor = os.getpid()
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                _die_with_parent(supervisor)
                os.close(read_end)
                if worker.ready_pipe is None:
                    os.close(write_end)
                code = worker.run()
            finally:
                os._exit(code)
        return pid

    def _stop_all(self, children, exit_code=0, grace=None):
        for pid in children:
            _kill_quietly(pid, signal.SIGTERM)
        deadline = time.monotonic() + (self.options.drain_timeout + 5 if grace is None else grace)
        while children and time.monotonic() < deadline:
            pid, status = _reap()
            if pid:
                children.pop(pid, None)
                code = os.waitstatus_to_exitcode(status)
                if code not in (0, 3) or (code == 3 and not exit_code):
                    exit_code = exit_code or code or 1
            else:
                time.sleep(0.02)
        for pid in children:
            log("worker pid %d did not stop in time; killing it" % pid)
            _kill_quietly(pid, signal.SIGKILL)
        return exit_code

    def _on_signal(self, signum, frame):
        self.stopping = True


class _ParentWatch:
    """While the supervisor is busy loading the model: stop it (as SIGTERM would) if its parent dies."""

    def __init__(self, parent):
        self.parent = parent
        self.done = threading.Event()
        self.thread = None

    def start(self):
        if self.parent is not None:
            self.thread = threading.Thread(target=self._watch, name="parent-watch", daemon=True)
            self.thread.start()

    def _watch(self):
        while not self.done.wait(0.2):
            if os.getppid() != self.parent:
                log("the process that started the harness (pid %d) is gone; stopping" % self.parent)
                _kill_quietly(os.getpid(), signal.SIGTERM)
                return

    def stop(self):
        self.done.set()
        if self.thread is not None:
            self.thread.join(5)


def _die_with_parent(parent):
    """In a forked worker: the kernel kills it when the supervisor dies, however it dies (prctl(2)
    PR_SET_PDEATHSIG; it fires when the forking thread ends, and the supervisor forks from its main thread). If the
    supervisor died before the call, we are already reparented: exit."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: the supervisor still stops its workers on every exit it survives
    if os.getppid() != parent:
        os._exit(1)


def _stop_loading(signum, frame):
    raise _StopWhileLoading()


def _reap():
    try:
        return os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return 0, 0


def _describe(status):
    if os.WIFSIGNALED(status):
        return "signal %d" % os.WTERMSIG(status)
    return "exit code %d" % os.waitstatus_to_exitcode(status)


def _kill_quietly(pid, sig):
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


class WorkerPlan:
    """The worker count before the memory fit, and how it was decided (sizing.py has the rule)."""

    def __init__(self, count, reason, auto, memory_limit=None, per_worker_override=None):
        self.count = count
        self.reason = reason
        self.auto = auto
        self.memory_limit = memory_limit
        self.per_worker_override = per_worker_override

    @classmethod
    def decide(cls, setting, environ=os.environ, root="/"):
        if str(setting) != "auto":
            return cls(int(setting), "set by --workers or serving.workers", False)
        count, reason = sizing.cpu_workers(sizing.cpu_limit(root), sizing.cpu_request_millis(environ),
                                           len(os.sched_getaffinity(0)))
        return cls(count, reason, True, sizing.memory_limit(root), sizing.worker_memory_override(environ))

    def fitted(self, shared_bytes, per_worker_bytes, how):
        """(count, the rule applied) after fitting `auto` to the memory limit."""
        if not self.auto:
            return self.count, self.reason
        if self.per_worker_override is not None:
            per_worker_bytes, how = self.per_worker_override, "from " + sizing.WORKER_MEMORY_ENV
        count, memory = sizing.fit_memory(self.count, self.memory_limit, shared_bytes, per_worker_bytes, how)
        return count, "%s; %s" % (self.reason, memory)


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="python3 -m mdharness",
                                     description="Serve one model version over HTTP (model-deploy harness).")
    parser.add_argument("--config", required=True, help="harness configuration JSON written by model-deploy")
    parser.add_argument("--host", default=os.environ.get("MODEL_DEPLOY_HOST", "0.0.0.0"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("MODEL_DEPLOY_PORT", "8080")))
    parser.add_argument("--workers", default=os.environ.get("MODEL_DEPLOY_WORKERS"),
                        help="worker processes (a number or 'auto'); default from the configuration")
    parser.add_argument("--drain-timeout", type=float,
                        default=float(os.environ.get("MODEL_DEPLOY_DRAIN_TIMEOUT", "10")),
                        help="seconds to let in-flight requests finish after SIGTERM")
    parser.add_argument("--idle-grace", type=float, default=0.5,
                        help="after SIGTERM, seconds an idle keep-alive connection may stay open")
    parser.add_argument("--predict-timeout", type=float, default=None,
                        help="seconds a prediction may take before the request gets 504 and its worker is replaced; "
                             "default: predictTimeoutSeconds in the configuration (model.yaml serving.timeout), "
                             "else %g" % DEFAULT_PREDICT_TIMEOUT)
    parser.add_argument("--idle-timeout", type=float, default=DEFAULT_IDLE_TIMEOUT,
                        help="seconds a connection may wait for its next request line before it is closed")
    parser.add_argument("--header-timeout", type=float, default=DEFAULT_HEADER_TIMEOUT,
                        help="seconds from a request line to the end of its head before the request gets 408")
    parser.add_argument("--max-connections", type=int, default=DEFAULT_MAX_CONNECTIONS,
                        help="connections one worker holds at most (one thread each); more are answered 503")
    parser.add_argument("--no-preload", dest="preload", action="store_false",
                        default=os.environ.get("MODEL_DEPLOY_PRELOAD", "1") != "0",
                        help="with several workers, load a Python model in each worker after fork rather than once "
                             "before (for models that start threads or open connections while loading)")
    parser.add_argument("--feedback-ids", type=int,
                        default=int(os.environ.get("MODEL_DEPLOY_FEEDBACK_IDS", feedback.DEFAULT_MAX_IDS)),
                        help="request ids each worker remembers for /feedback (oldest forgotten first)")
    parser.add_argument("--feedback-bytes", type=int,
                        default=int(os.environ.get("MODEL_DEPLOY_FEEDBACK_BYTES", feedback.DEFAULT_MAX_BYTES)),
                        help="bytes of answers (their JSON size) each worker remembers for /feedback")
    parser.add_argument("--feedback-ttl", type=float,
                        default=float(os.environ.get("MODEL_DEPLOY_FEEDBACK_TTL", feedback.DEFAULT_TTL)),
                        help="seconds a request id stays known to /feedback")
    options = parser.parse_args(argv)
    return options


def main(argv):
    options = parse_args(argv)
    with open(options.config, encoding="utf-8") as f:
        config = json.load(f)
    # In an image the version is in the image's environment, so the file holding this configuration is the same
    # for every version of a model (one layer less to push).
    config["version"] = os.environ.get("MODEL_DEPLOY_VERSION") or config.get("version")
    if not config["version"]:
        log("no model version: neither %s nor MODEL_DEPLOY_VERSION gives one" % options.config)
        return 2
    try:
        injected_error_rate()
    except ValueError as e:
        log(str(e))
        return 2
    if options.predict_timeout is None:
        options.predict_timeout = config.get("predictTimeoutSeconds", DEFAULT_PREDICT_TIMEOUT)
    if isinstance(options.predict_timeout, bool) or not isinstance(options.predict_timeout, (int, float)) \
            or not 0 < options.predict_timeout < float("inf"):
        log("the prediction timeout (--predict-timeout or predictTimeoutSeconds in %s) must be a positive number "
            "of seconds, was %r" % (options.config, options.predict_timeout))
        return 2
    if options.feedback_ids < 1 or options.feedback_bytes < 0 or not 0 < options.feedback_ttl < float("inf"):
        log("--feedback-ids must be at least 1, --feedback-bytes at least 0 and --feedback-ttl a positive number of "
            "seconds (MODEL_DEPLOY_FEEDBACK_IDS, _BYTES, _TTL)")
        return 2
    try:
        plan = WorkerPlan.decide(options.workers or config.get("workers") or "auto")
    except ValueError as e:
        log(str(e))
        return 2
    if plan.count < 1:
        log("--workers must be at least 1, was %d" % plan.count)
        return 2
    options.workers = plan.count
    # Only Python models are loaded before fork. R's documentation strongly discourages forking an R embedded in
    # another program (parallel's mcfork, "GUI/embedded environments"), and the R runtime must stay on the thread
    # that started it (runtimes.RRuntime): each R worker keeps loading its own copy after fork.
    options.preload = options.preload and config["runtime"] == "python" and plan.count > 1

    family = socket.AF_INET6 if ":" in options.host else socket.AF_INET
    listening_socket = socket.socket(family, socket.SOCK_STREAM)
    listening_socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening_socket.bind((options.host, options.port))
    except OSError as e:
        log("cannot listen on %s:%d: %s" % (options.host, options.port, os.strerror(e.errno or errno.EINVAL)))
        return 2
    listening_socket.listen(1024)
    # Workers share this socket, so several can be woken for one connection; only one wins the accept. Non-blocking,
    # the others get EAGAIN and go back to waiting, instead of sitting in accept() where shutdown cannot reach them.
    listening_socket.setblocking(False)
    host, port = listening_socket.getsockname()[:2]
    url_host = "[%s]" % host if family == socket.AF_INET6 else host

    def on_ready():
        announcement = {"event": "ready", "url": "http://%s:%d" % (url_host, port), "model": config["name"],
                        "version": config["version"], "runtime": config["runtime"], "workers": options.workers,
                        "pid": os.getpid()}
        sys.stdout.write(json.dumps(announcement) + "\n")
        sys.stdout.flush()

    # Two metrics slots per worker the CPU rule allows (the memory fit can only lower it: one for a worker, one for
    # its replacement while it drains), plus the stand-in's.
    metrics = SharedMetrics(2 * plan.count + 1)  # feedback.peer_sockets below: one socket per slot
    log("serving model %s version %s (%s) on %s:%d" % (config["name"], config["version"], config["runtime"], host,
                                                       port))
    # Even one worker runs under a supervisor: a worker killed (OOM killer, a crash in native model code) is replaced
    # instead of taking the port down. Our parent is watched unless it is init (pid 1; e.g. the harness is pid 1 of
    # its container, parent 0): when serve or the local target dies, even by SIGKILL, the harness stops with it.
    parent = os.getppid()
    # Where each worker's feedback lookup socket lives (feedback.Peers): feedback reaches the worker that served an id.
    options.feedback_peers = feedback.peer_sockets(2 * plan.count + 1)
    try:
        code = Supervisor(config, listening_socket, metrics, options, plan,
                          parent if parent > 1 else None).run(on_ready)
    finally:
        if not options.feedback_peers[0].startswith("\0"):
            shutil.rmtree(options.feedback_peers[0], ignore_errors=True)
    log("stopped (exit code %d)" % code)
    return code
