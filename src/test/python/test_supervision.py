"""Supervision (issue #15, item 1): workers that die or hang are replaced, workers die with their supervisor, the
supervisor dies with its parent. Each test runs the real harness (`python3 -m mdharness`) on 127.0.0.1."""
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import unittest

MODEL = textwrap.dedent('''
    import os
    import time

    if os.environ.get("TEST_SLOW_LOAD"):
        print("loading slowly", flush=True)
        time.sleep(60)

    def predict(instances):
        if instances == ["sleep"]:
            time.sleep(3600)
        if instances == ["nap"]:
            time.sleep(2.5)
        if instances == ["die"]:
            os._exit(7)
        return [os.getpid() for _ in instances]
''')


def wait_until(condition, timeout, message):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("%s (waited %.1f s)" % (message, timeout))


def children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


def port_free(port):
    probe = socket.socket()
    try:
        probe.bind(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        probe.close()


class Harness:
    """The harness started directly (or through a `parent` process we can kill), with its ready announcement."""

    def __init__(self, workers, extra_config=None, through_parent=False, args=(), slow_load=False):
        self.dir = tempfile.TemporaryDirectory()
        with open(os.path.join(self.dir.name, "model.py"), "w") as f:
            f.write(MODEL)
        config = {"name": "sup", "version": "1", "runtime": "python", "modelDir": self.dir.name,
                  "entrypoint": "model:predict", "workers": workers}
        config.update(extra_config or {})
        config_path = os.path.join(self.dir.name, "harness.json")
        with open(config_path, "w") as f:
            json.dump(config, f)
        command = [sys.executable, "-m", "mdharness", "--config", config_path, "--host", "127.0.0.1", "--port", "0",
                   "--drain-timeout", "2"] + list(args)
        if through_parent:
            # A stand-in for the serve JVM: it starts the harness and waits; killing it with SIGKILL orphans the harness.
            command = [sys.executable, "-c", "import subprocess, sys; subprocess.Popen(sys.argv[1:]).wait()"] + command
        self.log_file = open(self.log_path(), "w")
        environment = dict(os.environ, PYTHONPATH=os.environ.get("PYTHONPATH", ""))
        if slow_load:
            environment["TEST_SLOW_LOAD"] = "1"
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=self.log_file, env=environment)
        line = self.process.stdout.readline()
        if slow_load:  # the model's own line: the supervisor is loading it (the ready line never comes)
            self.ready = {"pid": None}
            return
        if not line:
            raise AssertionError("no ready line; log:\n" + self.log())
        self.ready = json.loads(line)
        self.supervisor = self.ready["pid"]
        self.port = int(self.ready["url"].rsplit(":", 1)[1])

    def log_path(self):
        return os.path.join(self.dir.name, "harness.log")

    def log(self):
        with open(self.log_path()) as f:
            return f.read()

    def request(self, method, path, body=None, timeout=10):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            headers = {"Content-Type": "application/json"} if body is not None else {}
            connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
            response = connection.getresponse()
            return response.status, response.read().decode("utf-8")
        finally:
            connection.close()

    def predict(self, instances, timeout=10):
        return self.request("POST", "/predict", {"instances": instances}, timeout)

    def metric(self, name_and_labels):
        _, text = self.request("GET", "/metrics")
        for line in text.splitlines():
            if line.startswith("model_deploy_" + name_and_labels.split("{")[0]) and \
                    all(part in line for part in name_and_labels.split("{", 1)[1].rstrip("}").split(",") if part):
                return float(line.rsplit(" ", 1)[1])
        return None

    def workers(self):
        return children(self.supervisor)

    def close(self):
        for pid in ([self.supervisor] + self.workers()) if self.supervisor else []:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.process.kill()
        self.process.wait(10)
        self.process.stdout.close()
        self.log_file.close()
        self.dir.cleanup()


class SupervisionTest(unittest.TestCase):
    def start(self, *args, **kwargs):
        harness = Harness(*args, **kwargs)
        self.addCleanup(harness.close)
        return harness

    def test_a_worker_killed_under_load_is_replaced_and_counted(self):
        harness = self.start(2)
        workers = wait_until(lambda: len(harness.workers()) == 2 and harness.workers(), 10, "two workers")
        results = []
        stop = threading.Event()

        def load():  # about 100 requests per second, a new connection each (as the smoke test)
            while not stop.is_set():
                try:
                    results.append(harness.predict([1], timeout=5)[0])
                except OSError as e:
                    results.append(repr(e))
                time.sleep(0.01)

        sender = threading.Thread(target=load)
        sender.start()
        try:
            wait_until(lambda: len(results) >= 50, 10, "load running")
            os.kill(workers[0], signal.SIGKILL)
            wait_until(lambda: len(harness.workers()) == 2 and workers[0] not in harness.workers(), 10,
                       "a replacement worker")
            before = len(results)
            wait_until(lambda: len(results) >= before + 100, 20, "serving after the replacement")
        finally:
            stop.set()
            sender.join(10)
        failed = [r for r in results if r != 200]
        # Only the request(s) in flight on the killed worker may fail (one sender: at most one at a time).
        self.assertLessEqual(len(failed), 1, failed)
        self.assertEqual(harness.request("GET", "/v2/health/ready")[0], 200)
        self.assertEqual(harness.metric('worker_restarts_total{reason="exited"}'), 1)
        self.assertIn("exited unexpectedly (signal 9); replacing it", harness.log())

    def test_one_worker_too_is_replaced(self):
        harness = self.start(1)
        with self.assertRaises(OSError):  # the connection drops with the worker; nothing else could answer
            harness.predict(["die"])
        wait_until(lambda: harness.request("GET", "/v2/health/ready")[0] == 200, 10, "ready again")
        self.assertEqual(harness.predict([1])[0], 200)
        self.assertEqual(harness.metric('worker_restarts_total{reason="exited"}'), 1)

    def test_a_crash_loop_fails_readiness_but_the_server_keeps_answering(self):
        harness = self.start(1)
        for i in range(5):
            with self.assertRaises(OSError, msg="death %d" % i):
                harness.predict(["die"])
            wait_until(lambda: _answers(harness, "/predict"), 20, "a replacement predicting")
        status, body = harness.request("GET", "/v2/health/ready")
        self.assertEqual(status, 503, body)
        self.assertEqual(harness.request("GET", "/v2/health/live")[0], 200)
        self.assertEqual(harness.metric("worker_crash_loop{"), 1)
        self.assertEqual(harness.metric('worker_restarts_total{reason="exited"}'), 5)
        self.assertIn("readiness fails", harness.log())

    def test_workers_die_with_a_killed_supervisor_and_free_the_port(self):
        harness = self.start(2)
        workers = wait_until(lambda: len(harness.workers()) == 2 and harness.workers(), 10, "two workers")
        os.kill(harness.supervisor, signal.SIGKILL)
        harness.process.wait(10)
        wait_until(lambda: not any(alive(p) for p in workers), 5, "workers gone")
        wait_until(lambda: port_free(harness.port), 5, "port free")

    def test_the_harness_stops_within_two_seconds_of_its_parent_dying(self):
        harness = self.start(2, through_parent=True)
        workers = wait_until(lambda: len(harness.workers()) == 2 and harness.workers(), 10, "two workers")
        os.kill(harness.process.pid, signal.SIGKILL)  # the parent, as kill -9 of the serve JVM
        harness.process.wait(10)
        started = time.monotonic()
        wait_until(lambda: not alive(harness.supervisor) and not any(alive(p) for p in workers), 5,
                   "supervisor and workers gone")
        self.assertLess(time.monotonic() - started, 2.5)
        wait_until(lambda: port_free(harness.port), 5, "port free")

    def test_the_harness_stops_with_its_parent_while_the_model_loads(self):
        harness = self.start(2, through_parent=True, slow_load=True)
        supervisor = wait_until(lambda: children(harness.process.pid) and children(harness.process.pid)[0], 10,
                                "the harness under its parent")
        harness.supervisor = supervisor  # for the clean-up if this test fails
        standin = wait_until(lambda: children(supervisor) and children(supervisor)[0], 10, "the stand-in")
        os.kill(harness.process.pid, signal.SIGKILL)
        harness.process.wait(10)
        started = time.monotonic()
        wait_until(lambda: not alive(supervisor) and not alive(standin), 5, "supervisor and stand-in gone")
        self.assertLess(time.monotonic() - started, 2.5)

    def test_a_prediction_over_the_timeout_gets_504_and_its_worker_is_replaced(self):
        harness = self.start(2, {"predictTimeoutSeconds": 1})
        stuck = wait_until(lambda: len(harness.workers()) == 2 and harness.workers(), 10, "two workers")
        started = time.monotonic()
        status, body = harness.predict(["sleep"])
        self.assertEqual(status, 504, body)
        self.assertIn("error", json.loads(body))
        self.assertLess(time.monotonic() - started, 5)
        self.assertEqual(harness.predict([1])[0], 200)
        wait_until(lambda: len([p for p in stuck if alive(p)]) == 1 and len(harness.workers()) == 2, 10,
                   "the stuck worker replaced")
        self.assertEqual(harness.metric("prediction_timeouts_total{"), 1)
        self.assertEqual(harness.metric('worker_restarts_total{reason="timeout"}'), 1)

    def test_hung_predictions_leave_no_threads_behind(self):
        harness = self.start(2, {"predictTimeoutSeconds": 1})
        first = wait_until(lambda: len(harness.workers()) == 2 and harness.workers(), 10, "two workers")
        baseline = sum(_threads(p) for p in first)
        answers = []
        clients = [threading.Thread(target=lambda: answers.append(harness.predict(["sleep"], timeout=20)[0]))
                   for _ in range(100)]
        for client in clients:
            client.start()
        for client in clients:
            client.join(30)
        self.assertEqual(answers, [504] * 100)
        wait_until(lambda: not any(alive(p) for p in first) and len(harness.workers()) == 2, 20,
                   "the stuck workers replaced")
        wait_until(lambda: sum(_threads(p) for p in harness.workers()) <= baseline + 4, 10, "threads back to baseline")
        self.assertEqual(harness.predict([1])[0], 200)

    def test_sigterm_closes_an_idle_keep_alive_connection_after_the_grace(self):
        harness = self.start(1)
        connection = http.client.HTTPConnection("127.0.0.1", harness.port, timeout=10)
        self.addCleanup(connection.close)
        connection.request("GET", "/v2/health/live")
        self.assertEqual(connection.getresponse().read(), b'{"live":true}')  # the connection stays open, idle
        started = time.monotonic()
        os.kill(harness.supervisor, signal.SIGTERM)
        self.assertEqual(harness.process.wait(10), 0)
        # --idle-grace (0.5 s) and the exit; not the worker killed after --drain-timeout + 5 s
        self.assertLess(time.monotonic() - started, 3)
        self.assertNotIn("did not stop in time", harness.log())

    def test_the_predict_timeout_flag_wins_over_the_configuration(self):
        harness = self.start(1, {"predictTimeoutSeconds": 600}, args=("--predict-timeout", "0.5"))
        self.assertEqual(harness.predict(["sleep"])[0], 504)


def _threads(pid):
    try:
        return len(os.listdir("/proc/%d/task" % pid))
    except OSError:
        return 0


def _answers(harness, path):
    try:
        if path == "/predict":
            return harness.predict([1], timeout=2)[0] == 200
        return harness.request("GET", path, timeout=2)[0] == 200
    except OSError:
        return False


if __name__ == "__main__":
    unittest.main()
