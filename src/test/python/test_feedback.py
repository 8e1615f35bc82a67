"""Request ids, X-Model-Version and feedback (issue #17, items 1 and 2, harness side): the handler in-process with a
scripted model, and the real harness with two workers for feedback reaching the worker that served an id."""
import http.client
import json
import time
import unittest

from mdharness import feedback
from test_http import exchange, post, start_harness
from test_supervision import Harness, wait_until


def call(port, method, path, body=None, headers=None, raw_body=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        all_headers = {"Content-Type": "application/json"}
        all_headers.update(headers or {})
        data = raw_body if raw_body is not None else (json.dumps(body) if body is not None else None)
        connection.request(method, path, body=data, headers=all_headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8")
        return response.status, {k.lower(): v for k, v in response.getheaders()}, json.loads(text) if text else None
    finally:
        connection.close()


def metrics(port):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", "/metrics")
        text = connection.getresponse().read().decode("utf-8")
    finally:
        connection.close()
    values = {}
    for line in text.splitlines():
        if line.startswith("model_deploy_feedback_"):
            name = line.split("{", 1)[0][len("model_deploy_feedback_"):]
            values[name] = float(line.rsplit(" ", 1)[1])
            assert 'version="' in line, line
    return values


def echo(*values):
    """Instances the scripted model answers with the value itself."""
    return [{"return": "echo", "value": v} for v in values]


def v2(instances):
    return {"inputs": [{"name": "x", "datatype": "BYTES" if isinstance(instances[0], str) else "FP64",
                        "shape": [len(instances)], "data": instances}]}


class FeedbackTest(unittest.TestCase):
    def setUp(self):
        self.harness, self.port = start_harness()
        self.addCleanup(self.harness.server_close)
        self.addCleanup(self.harness.shutdown)
        self.state = self.harness.state

    def predict(self, instances, request_id=None):
        headers = {"X-Request-Id": request_id} if request_id else {}
        status, headers, body = call(self.port, "POST", "/predict", {"instances": instances}, headers)
        self.assertEqual(200, status, body)
        return headers["x-request-id"], body["predictions"]

    def feedback(self, body, path="/feedback", status=200):
        got, headers, answer = call(self.port, "POST", path, body)
        self.assertEqual(status, got, answer)
        self.assertEqual("7", headers["x-model-version"])
        return answer

    def test_request_ids_are_echoed_when_sane_and_generated_otherwise(self):
        self.assertEqual("abc-123_x.y", self.predict([1], "abc-123_x.y")[0])
        for bad in ("a b", "x" * 129, "caf\u00e9", "a,b", '"q"'):
            generated = self.predict([1], bad)[0]
            self.assertRegex(generated, "^[0-9a-f]{32}$", bad)
        first, second = self.predict([1])[0], self.predict([1])[0]
        self.assertRegex(first, "^[0-9a-f]{32}$")
        self.assertNotEqual(first, second)

    def test_every_prediction_answer_carries_the_version_and_the_id_errors_too(self):
        status, headers, _ = call(self.port, "POST", "/predict", {"instances": [1]}, {"X-Request-Id": "r1"})
        self.assertEqual((200, "7", "r1"), (status, headers["x-model-version"], headers["x-request-id"]))
        status, headers, body = call(self.port, "POST", "/predict", {"nope": 1}, {"X-Request-Id": "r2"})
        self.assertEqual((400, "7", "r2"), (status, headers["x-model-version"], headers["x-request-id"]))
        self.assertIn("error", body)
        status, headers, _ = call(self.port, "POST", "/predict", {"instances": [{"return": "nan"}]})
        self.assertEqual(500, status)
        self.assertRegex(headers["x-request-id"], "^[0-9a-f]{32}$")
        status, headers, _ = call(self.port, "POST", "/v2/models/other/infer", v2([1.0]), {"X-Request-Id": "r3"})
        self.assertEqual((404, "7", "r3"), (status, headers["x-model-version"], headers["x-request-id"]))
        # raw bytes too: one answer per request, the id on each
        answers = exchange(self.port, post("/predict", '{"instances":[1]}', b"X-Request-Id: raw-1\r\n")
                           + post("/predict", '{"instances":[2]}', b"X-Request-Id: raw-2\r\nConnection: close\r\n"))
        self.assertEqual(["raw-1", "raw-2"], [a.headers["x-request-id"] for a in answers])

    def test_v2_answers_carry_an_id_in_the_body(self):
        status, headers, body = call(self.port, "POST", "/v2/models/echo/infer", dict(v2([1.0]), id="mine"))
        self.assertEqual((200, "mine", "mine"), (status, body["id"], headers["x-request-id"]))
        status, headers, body = call(self.port, "POST", "/v2/models/echo/infer", dict(v2([1.0]), id="b"),
                                     {"X-Request-Id": "h"})
        self.assertEqual(("b", "h"), (body["id"], headers["x-request-id"]))
        status, headers, body = call(self.port, "POST", "/v2/models/echo/infer", v2([1.0]))
        self.assertEqual(body["id"], headers["x-request-id"])
        self.assertEqual("7", headers["x-model-version"])
        # feedback finds a V2 prediction by its body id or its header id, on both feedback routes
        self.assertEqual(1, self.feedback({"id": "b", "label": 1.0})["accepted"])
        self.assertEqual(1, self.feedback({"id": "h", "label": 2}, "/v2/models/echo/feedback")["accepted"])
        self.feedback({"id": "h", "label": 2}, "/v2/models/other/feedback", 404)
        self.feedback({"id": "h", "label": 2}, "/v2/models/echo/versions/8/feedback", 404)
        self.assertEqual(405, call(self.port, "GET", "/feedback")[0])
        self.feedback({"id": "h", "label": 1}, "/v2/models/echo/versions/7/feedback")
        self.assertEqual({"labelled_total": 3, "correct_total": 2, "numeric_labelled_total": 3,
                          "absolute_error_total": 1, "squared_error_total": 1}, {
            k: v for k, v in metrics(self.port).items() if k in ("labelled_total", "correct_total",
                                                                 "numeric_labelled_total", "absolute_error_total",
                                                                 "squared_error_total")})

    def test_classification_regression_and_reward_counters(self):
        cat = self.predict(echo("cat"))[0]
        dog = self.predict(echo("dog"))[0]
        batch = self.predict(echo("a", "b", "c"))[0]
        regression = self.predict([[1, 2], [3, 4]])[0]  # predictions 3 and 7
        answer = self.feedback([{"id": cat, "label": "cat"}, {"id": dog, "label": "cat", "reward": -1.5},
                                {"id": batch, "label": ["a", "x", "c"]}, {"id": regression, "label": [5, 7.5]},
                                {"id": cat, "reward": 2}])
        self.assertEqual({"accepted": 5, "labelled": 7, "rewards": 2}, answer)
        self.assertEqual({"labelled_total": 7, "correct_total": 3, "numeric_labelled_total": 2,
                          "absolute_error_total": 2.5, "squared_error_total": 4.25, "rewards_total": 2,
                          "reward_sum": 0.5, "reward_squares_total": 6.25,
                          "squared_error_squares_total": 16.0625}, metrics(self.port))
        # one prediction that is itself a list: the label is compared whole
        vector = self.predict([{"return": "echo", "value": [1, 2]}])[0]
        self.feedback({"id": vector, "label": [1.0, 2]})
        self.assertEqual((8, 4), (metrics(self.port)["labelled_total"], metrics(self.port)["correct_total"]))

    def test_unknown_and_expired_ids_are_404s(self):
        answer = self.feedback({"id": "never-seen", "label": 1}, status=404)
        self.assertIn("never-seen", answer["error"])
        store = feedback.Store(ttl=0.3)
        self.state.feedback_store, self.state.peers = store, feedback.Peers(None, 0, store)
        key = self.predict([1])[0]
        self.feedback({"id": key, "label": 1})
        time.sleep(0.5)
        self.assertIn("unknown or expired", self.feedback({"id": key, "label": 1}, status=404)["error"])
        self.assertEqual(1, metrics(self.port)["labelled_total"])

    def test_the_store_forgets_the_oldest_first(self):
        store = feedback.Store(max_ids=3)
        self.state.feedback_store, self.state.peers = store, feedback.Peers(None, 0, store)
        keys = [self.predict([i])[0] for i in range(5)]
        self.feedback({"id": keys[0], "label": 0}, status=404)
        self.feedback({"id": keys[1], "label": 1}, status=404)
        self.feedback([{"id": k, "label": i + 2} for i, k in enumerate(keys[2:])])
        small = feedback.Store(max_bytes=100)
        small.remember("a", [1], 60)
        small.remember("b", [2], 60)
        self.assertEqual({"b": [2]}, small.find(["a", "b"]))

    def test_bad_bodies_are_400s_naming_the_field_and_count_nothing(self):
        key = self.predict([1, 2])[0]
        one = self.predict(["x"])[0]
        cases = [
            ("[]", "body"), ('"x"', "body"), ("null", "body"), ("{", "malformed JSON"),
            ('{"label": 1}', "id"), ('{"id": 5, "label": 1}', "id"), ('{"id": ""}', "id"),
            ('{"id": "%s"}' % key, "label"), ('{"id": "%s", "reward": "1"}' % key, "reward"),
            ('{"id": "%s", "reward": true}' % key, "reward"), ('{"id": "%s", "reward": 1e999}' % key, "out of range"),
            ('{"id": "%s", "reward": NaN}' % key, "NaN"), ('{"id": "%s", "reward": 1%s}' % (key, "0" * 400), "reward"),
            ('{"id": "%s", "label": 1}' % key, "label"), ('{"id": "%s", "label": [1, 2, 3]}' % key, "label"),
            ('{"id": "%s", "label": [1, null]}' % key, "label"), ('{"id": "%s", "lable": 1}' % key, "lable"),
            ('[{"id": "%s", "label": "x"}, {"id": "%s", "label": [1]}]' % (one, key), "[1].label"),
        ]
        for body, field in cases:
            status, headers, answer = call(self.port, "POST", "/feedback", raw_body=body.encode())
            self.assertEqual(400, status, body[:80])
            self.assertIn(field, answer["error"], body[:80])
            self.assertEqual("application/json", headers["content-type"])
        with self.assertRaisesRegex(feedback.BadFeedback, "1001 items, at most 1000"):
            feedback.parse([{"id": one, "label": "x"}] * 1001)
        status, _, answer = call(self.port, "POST", "/feedback", raw_body=b'{"id":"a"}',
                                 headers={"Content-Type": "text/plain"})
        self.assertEqual(415, status)
        self.assertEqual({}, {k: v for k, v in metrics(self.port).items() if v})

    def test_a_list_is_all_or_nothing(self):
        good = self.predict(echo("x"))[0]
        self.assertIn("[1].id", self.feedback([{"id": good, "label": "x"}, {"id": "gone", "label": "x"}],
                                             status=404)["error"])
        self.assertEqual({}, {k: v for k, v in metrics(self.port).items() if v})
        self.assertEqual(2, self.feedback([{"id": good, "label": "x"}, {"id": good, "reward": 1}])["accepted"])
        self.assertEqual(1, metrics(self.port)["correct_total"])

    def test_oversize_bodies_are_413s(self):
        key = self.predict(["x"])[0]
        body = json.dumps([{"id": key, "label": "x" * 100}] * 40)  # over the test harness's 4096-byte limit
        answers = exchange(self.port, post("/feedback", body))
        self.assertEqual([413], [a.status for a in answers])
        self.assertEqual({}, {k: v for k, v in metrics(self.port).items() if v})
        self.assertIn('route="feedback",code="413"', _metrics_text(self.port))


def _metrics_text(port):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", "/metrics")
        return connection.getresponse().read().decode("utf-8")
    finally:
        connection.close()


class WorkersFeedbackTest(unittest.TestCase):
    """Two worker processes: feedback reaches the store of the worker that served the id, whichever worker the
    kernel gives the feedback connection."""

    def test_peers_answer_from_their_store_abstract_or_in_a_directory(self):
        import tempfile
        with tempfile.TemporaryDirectory() as directory:
            for where in (feedback.peer_sockets(3), (directory, 3)):
                stores = [feedback.Store(), feedback.Store()]
                peers = [feedback.Peers(where, slot, store) for slot, store in enumerate(stores)]
                for p in peers:
                    p.serve()
                stores[1].remember("there", [1, "a"], 10)
                stores[0].remember("here", [2], 10)
                self.assertEqual({"here": [2], "there": [1, "a"]}, peers[0].find(["here", "there", "nowhere"]))
                for p in peers:
                    p.close()
                self.assertEqual({}, peers[0].find(["there"]))

    def test_feedback_reaches_the_worker_that_served_each_id(self):
        harness = Harness(2, args=("--feedback-ttl", "600"))
        self.addCleanup(harness.close)
        wait_until(lambda: len(harness.workers()) == 2, 10, "two workers")
        served = {}  # id -> the serving worker's pid, which is also its prediction
        deadline = time.monotonic() + 20
        while len(set(served.values())) < 2 or len(served) < 20:
            self.assertLess(time.monotonic(), deadline, "predictions never reached both workers")
            status, headers, body = call(harness.port, "POST", "/predict", {"instances": ["p"]},
                                         {"X-Request-Id": "w-%d" % len(served)})
            self.assertEqual(200, status)
            self.assertEqual("1", headers["x-model-version"])
            served[headers["x-request-id"]] = body["predictions"][0]
        # each id on its own connection, so feedback arrives at both workers for ids served by either
        for key, pid in served.items():
            status, _, answer = call(harness.port, "POST", "/feedback", {"id": key, "label": pid, "reward": 1})
            self.assertEqual(200, status, answer)
        status, _, answer = call(harness.port, "POST", "/v2/models/sup/feedback",
                                 [{"id": key, "label": 0} for key in served])
        self.assertEqual(200, status, answer)
        status, _, answer = call(harness.port, "POST", "/feedback", {"id": "nobody", "label": 0})
        self.assertEqual(404, status, answer)
        values = metrics(harness.port)
        n = len(served)
        self.assertEqual((2 * n, n, n), (values["labelled_total"], values["correct_total"], values["rewards_total"]))


if __name__ == "__main__":
    unittest.main()
