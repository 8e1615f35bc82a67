"""Request ids, the predictions remembered per id, and feedback scored against them.

Each worker process remembers the predictions it answered, keyed by request id, in its own bounded store (oldest
first out; an entry expires after the TTL). Serving a prediction costs one insert under a lock held only for it.
Feedback may reach any worker (the kernel spreads connections), so the worker that receives it first looks in its own
store, then asks the other workers of the same harness over Unix sockets, one per worker named by its metrics slot:
in Linux's abstract namespace under a random prefix the harness picks before it forks (nothing on disk to leave
behind), elsewhere in a temporary directory. The counters are added to the receiving worker's slot
in the shared metrics; /metrics sums the slots as for every other counter. A list of feedback is all-or-nothing:
every item is checked and every id found before any counter changes.
"""
import collections
import json
import math
import os
import re
import socket
import sys
import tempfile
import threading
import time

from mdharness import protocol

MAX_REQUEST_ID = 128
# RFC 9110 token characters: printable, no spaces, quotes, separators that a log or a header could misread.
_SANE_ID = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]{1," + str(MAX_REQUEST_ID) + "}")
MAX_FEEDBACK_ITEMS = 1000
DEFAULT_MAX_IDS = 100000
DEFAULT_MAX_BYTES = 64 << 20
DEFAULT_TTL = 3600.0
PEER_TIMEOUT = 2.0
_ITEM_FIELDS = ("id", "label", "reward")


def request_id(given):
    """The client's id when it is a sane token, else a new random one."""
    if given is not None and _SANE_ID.fullmatch(given):
        return given
    return os.urandom(16).hex()


class Store:
    """id -> (expiry, predictions, size), oldest first. Bounded by count and by the answers' JSON size in bytes."""

    def __init__(self, max_ids=DEFAULT_MAX_IDS, max_bytes=DEFAULT_MAX_BYTES, ttl=DEFAULT_TTL):
        self.max_ids = max_ids
        self.max_bytes = max_bytes
        self.ttl = ttl
        self._entries = collections.OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def remember(self, key, predictions, size):
        now = time.monotonic()
        entries = self._entries
        with self._lock:
            old = entries.pop(key, None)
            if old is not None:
                self._bytes -= old[2]
            entries[key] = (now + self.ttl, predictions, size)
            self._bytes += size
            while entries and (len(entries) > self.max_ids or self._bytes > self.max_bytes
                               or next(iter(entries.values()))[0] <= now):
                self._bytes -= entries.popitem(last=False)[1][2]

    def find(self, keys):
        """{id: predictions} for the ids known here and not expired."""
        now = time.monotonic()
        found = {}
        with self._lock:
            for key in keys:
                entry = self._entries.get(key)
                if entry is not None and entry[0] > now:
                    found[key] = entry[1]
        return found


class BadFeedback(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def parse(document):
    """The feedback items of a request body: [(id, label or _NONE, reward or None)]. Raises BadFeedback (400)."""
    single = isinstance(document, dict)
    items = [document] if single else document
    if not isinstance(items, list):
        raise BadFeedback(400, 'body: a JSON object {"id", "label" or "reward"} or a list of them expected, was %s'
                          % protocol.json_type(document))
    if not items:
        raise BadFeedback(400, "body: the list is empty")
    if len(items) > MAX_FEEDBACK_ITEMS:
        raise BadFeedback(400, "body: %d items, at most %d per request" % (len(items), MAX_FEEDBACK_ITEMS))
    parsed = []
    for i, item in enumerate(items):
        where = "" if single else "[%d]." % i
        if not isinstance(item, dict):
            raise BadFeedback(400, "%sbody: an object expected, was %s" % (where, protocol.json_type(item)))
        for field in item:
            if field not in _ITEM_FIELDS:
                raise BadFeedback(400, '%s%s: unknown field (expected "id" with "label" and/or "reward")'
                                  % (where, field[:50]))
        key = item.get("id")
        if not isinstance(key, str) or not key:
            raise BadFeedback(400, "%sid: a non-empty string expected, was %s" % (where, protocol.json_type(key)))
        if "label" not in item and "reward" not in item:
            raise BadFeedback(400, '%slabel: "label" or "reward" required' % where)
        reward = item.get("reward")
        if "reward" in item and not _is_number(reward):
            raise BadFeedback(400, "%sreward: a finite number expected, was %s" % (where, protocol.json_type(reward)))
        parsed.append((key, item["label"] if "label" in item else _NONE, reward, where))
    return parsed


_NONE = object()


def score(items, predictions_by_id):
    """The counter deltas for all items (see SharedMetrics.add_feedback), or BadFeedback (404 unknown id, 400 a
    label that does not fit its prediction). Nothing is counted unless every item passes."""
    labelled = correct = numeric = abs_error = sq_error = rewards = reward_sum = reward_sq = sq_error_sq = 0.0
    for key, label, reward, where in items:
        predictions = predictions_by_id.get(key)
        if predictions is None:
            raise BadFeedback(404, "%sid: unknown or expired request id %r" % (where, key[:MAX_REQUEST_ID]))
        if label is not _NONE:
            count = len(predictions)
            if isinstance(label, list) and len(label) == count:
                labels = label
            elif count == 1:
                labels = [label]
            else:
                raise BadFeedback(400, "%slabel: the request had %d predictions, so a list of %d labels is expected"
                                  % (where, count, count))
            for j, (predicted, actual) in enumerate(zip(predictions, labels)):
                if actual is None:
                    raise BadFeedback(400, "%slabel: null label%s" % (where, "" if count == 1 else " at %d" % j))
                labelled += 1
                if _same(predicted, actual):
                    correct += 1
                if _is_number(predicted) and _is_number(actual):
                    error = float(predicted) - float(actual)
                    if not math.isfinite(error * error * error * error):
                        raise BadFeedback(400, "%slabel: error too large to count" % where)
                    numeric += 1
                    abs_error += abs(error)
                    sq_error += error * error
                    sq_error_sq += error * error * error * error
        if reward is not None:
            rewards += 1
            reward_sum += float(reward)
            reward_sq += float(reward) * reward
            if not math.isfinite(reward_sq):
                raise BadFeedback(400, "%sreward: too large to count" % where)
    return (labelled, correct, numeric, abs_error, sq_error, rewards, reward_sum, reward_sq, sq_error_sq)


def _is_number(value):
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:  # an integer beyond a double's range
        return False


def _same(a, b):
    """JSON equality: numbers compare by value (1 == 1.0), booleans only equal booleans."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(b, (list, dict)):
        return False
    return a == b


# --- peers: the other workers of this harness ---------------------------------------------------------------

def peer_sockets(slots):
    """Where the workers' lookup sockets live: (abstract prefix or directory, slot count). Called before fork."""
    if sys.platform.startswith("linux"):
        return "\0model-deploy-harness-%s-" % os.urandom(8).hex(), slots
    return tempfile.mkdtemp(prefix="mdharness-"), slots


class Peers:
    """This worker's lookup socket, and lookups in the other workers' stores. `where` is peer_sockets's answer, or
    None for a lone worker (tests)."""

    def __init__(self, where, slot, store):
        self.base, self.slots = where or (None, 0)
        self.name = str(slot)
        self.store = store
        self._socket = None

    def _address(self, name):
        return self.base + name if self.base.startswith("\0") else os.path.join(self.base, name)

    def _others(self):
        if self.base.startswith("\0"):
            names = [str(slot) for slot in range(self.slots)]
        else:
            try:
                names = os.listdir(self.base)
            except OSError:
                names = []
        return [self._address(name) for name in names if name != self.name]

    def serve(self):
        if not self.base:
            return
        address = self._address(self.name)
        if not address.startswith("\0"):
            try:
                os.unlink(address)
            except FileNotFoundError:
                pass
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            listener.bind(address)
        except OSError as e:
            listener.close()
            sys.stderr.write("[model-deploy harness pid %d] feedback lookups disabled in this worker: %s\n"
                             % (os.getpid(), e))
            return
        listener.listen(64)
        self._socket = listener
        threading.Thread(target=self._accept, args=(listener,), name="feedback-peers", daemon=True).start()

    def close(self):
        if self._socket is not None:
            address = self._address(self.name)
            if not address.startswith("\0"):
                try:
                    os.unlink(address)
                except OSError:
                    pass
            try:
                self._socket.shutdown(socket.SHUT_RDWR)  # wakes the accepting thread (close alone would not)
            except OSError:
                pass
            self._socket.close()

    def _accept(self, listener):
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, connection):
        with connection:
            try:
                # an abstract socket has no file permissions and its name shows in /proc/net/unix: only processes of
                # this harness's own user may read the predictions it keeps
                if not _same_user(connection):
                    return
                connection.settimeout(PEER_TIMEOUT)
                keys = json.loads(_read_all(connection))
                found = self.store.find(k for k in keys if isinstance(k, str))
                connection.sendall(json.dumps(found, separators=(",", ":")).encode("utf-8"))
            except (OSError, ValueError):
                pass

    def find(self, keys):
        """{id: predictions} from this worker's store and then the others' (asked only for ids not found here)."""
        found = self.store.find(keys)
        missing = [k for k in keys if k not in found]
        if not missing or not self.base:
            return found
        request = json.dumps(missing).encode("utf-8")
        for address in self._others():
            try:
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as peer:
                    peer.settimeout(PEER_TIMEOUT)
                    peer.connect(address)
                    peer.sendall(request)
                    peer.shutdown(socket.SHUT_WR)
                    answer = json.loads(_read_all(peer))
            except (OSError, ValueError):
                continue  # a worker gone (its socket left behind) or stuck: its ids count as unknown
            if isinstance(answer, dict):
                for key, predictions in answer.items():
                    found.setdefault(key, predictions)
            missing = [k for k in missing if k not in found]
            if not missing:
                break
        return found


def _same_user(connection):
    """Whether the peer runs as this process's user (SO_PEERCRED; where it is unknown, a socket file's mode 0700
    directory already keeps others out)."""
    peercred = getattr(socket, "SO_PEERCRED", None)
    if peercred is None:
        return True
    import struct

    _pid, uid, _gid = struct.unpack("3i", connection.getsockopt(socket.SOL_SOCKET, peercred, struct.calcsize("3i")))
    return uid == os.getuid()


def _read_all(connection):
    chunks = []
    while True:
        data = connection.recv(1 << 16)
        if not data:
            return b"".join(chunks)
        chunks.append(data)
