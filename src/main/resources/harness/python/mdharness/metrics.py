"""Request counters and latency histograms shared by all worker processes.

Counters live in an anonymous shared memory map created before the workers fork: every worker writes only its
own slot (under its own thread lock), and /metrics, answered by whichever worker the kernel picked, sums all slots.
Aligned 8-byte stores are atomic on the platforms we run on, so a reader sees each value whole.
"""
import mmap
import threading

ROUTES = ("predict", "infer", "model_metadata", "model_ready", "server_metadata",
          "health_live", "health_ready", "metrics", "unmatched", "feedback")
STATUS_CODES = (200, 400, 404, 405, 408, 411, 413, 415, 500, 503, 504)
STATUS_CODES += (414, 431, 501, 505)  # answers to requests the strict HTTP parsing refuses (server.py)
BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

_STATUS_INDEX = {code: i for i, code in enumerate(STATUS_CODES)}
_OTHER_STATUS = len(STATUS_CODES)
# Per route: one counter per known status + "other", then latency sum, then one count per bucket + overflow.
_PER_ROUTE = len(STATUS_CODES) + 1 + 1 + len(BUCKETS) + 1
# After the routes, one counter per worker slot: predictions that exceeded the prediction timeout.
_TIMEOUTS = len(ROUTES) * _PER_ROUTE
# Then the quality counters fed by /feedback (feedback.score gives the deltas in this order).
FEEDBACK = (
    ("labelled_total", "counter", "Predicted instances given a label by feedback."),
    ("correct_total", "counter", "Labelled instances whose prediction equals the label."),
    ("numeric_labelled_total", "counter", "Labelled instances where prediction and label are both numbers."),
    ("absolute_error_total", "counter", "Sum of |prediction - label| over numeric labelled instances."),
    ("squared_error_total", "counter", "Sum of (prediction - label)^2 over numeric labelled instances."),
    ("rewards_total", "counter", "Rewards received by feedback (one per feedback item with a reward)."),
    ("reward_sum", "gauge", "Sum of the rewards received (a gauge: rewards may be negative)."),
    ("reward_squares_total", "counter", "Sum of the squared rewards received."),
    ("squared_error_squares_total", "counter",
     "Sum of (prediction - label)^4 over numeric labelled instances (the variance of the squared error)."),
)
_FEEDBACK = _TIMEOUTS + 1
_PER_WORKER = _FEEDBACK + len(FEEDBACK)
# After every worker slot, the supervisor's own values (it is their only writer): restarts by reason, crash loop flag.
RESTART_REASONS = ("exited", "timeout")
_SUPERVISOR = len(RESTART_REASONS) + 1
_ROUTE_INDEX = {name: i for i, name in enumerate(ROUTES)}


class SharedMetrics:
    def __init__(self, workers):
        self._workers = workers
        self._map = mmap.mmap(-1, (workers * _PER_WORKER + _SUPERVISOR) * 8)
        self._supervisor = workers * _PER_WORKER
        self._values = memoryview(self._map).cast("d")
        self._slot = 0
        self._lock = threading.Lock()

    def bind_worker(self, slot):
        """Called in a worker after fork: later observations go to that worker's slot."""
        self._slot = slot

    def observe(self, route, status, seconds):
        base = self._slot * _PER_WORKER + _ROUTE_INDEX[route] * _PER_ROUTE
        status_offset = _STATUS_INDEX.get(status, _OTHER_STATUS)
        bucket = len(BUCKETS)
        for i, bound in enumerate(BUCKETS):
            if seconds <= bound:
                bucket = i
                break
        values = self._values
        with self._lock:
            values[base + status_offset] += 1
            values[base + len(STATUS_CODES) + 1] += seconds
            values[base + len(STATUS_CODES) + 2 + bucket] += 1

    def observe_timeout(self):
        with self._lock:
            self._values[self._slot * _PER_WORKER + _TIMEOUTS] += 1

    def add_feedback(self, deltas):
        """Adds feedback.score's deltas to this worker's slot, all under one lock hold."""
        base = self._slot * _PER_WORKER + _FEEDBACK
        values = self._values
        with self._lock:
            for i, delta in enumerate(deltas):
                values[base + i] += delta

    def count_restart(self, reason):
        """Supervisor only: a worker was replaced, because it died (`exited`) or hung in a prediction (`timeout`)."""
        self._values[self._supervisor + RESTART_REASONS.index(reason)] += 1

    def set_crash_loop(self, looping):
        """Supervisor only: while workers keep dying, every worker answers readiness with 503."""
        self._values[self._supervisor + len(RESTART_REASONS)] = 1.0 if looping else 0.0

    def crash_loop(self):
        return self._values[self._supervisor + len(RESTART_REASONS)] != 0.0

    def restarts(self, reason):
        return int(self._values[self._supervisor + RESTART_REASONS.index(reason)])

    def _totals(self):
        totals = [0.0] * _PER_WORKER
        values = self._values
        for worker in range(self._workers):
            offset = worker * _PER_WORKER
            for i in range(_PER_WORKER):
                totals[i] += values[offset + i]
        return totals

    def render(self, model, version):
        """Prometheus text exposition format 0.0.4."""
        totals = self._totals()
        labels = 'model="%s",version="%s"' % (_escape(model), _escape(version))
        lines = [
            "# HELP model_deploy_requests_total Requests answered, by route and HTTP status.",
            "# TYPE model_deploy_requests_total counter",
        ]
        errors = []
        histograms = []
        for route in ROUTES:
            base = _ROUTE_INDEX[route] * _PER_ROUTE
            status_counts = totals[base:base + len(STATUS_CODES) + 1]
            for i, count in enumerate(status_counts):
                if count:
                    code = str(STATUS_CODES[i]) if i < len(STATUS_CODES) else "other"
                    lines.append('model_deploy_requests_total{%s,route="%s",code="%s"} %d'
                                 % (labels, route, code, count))
            client = sum(c for i, c in enumerate(status_counts[:-1]) if 400 <= STATUS_CODES[i] < 500)
            server = sum(c for i, c in enumerate(status_counts[:-1]) if STATUS_CODES[i] >= 500)
            server += status_counts[-1]
            errors.append('model_deploy_request_errors_total{%s,route="%s",kind="client"} %d'
                          % (labels, route, client))
            errors.append('model_deploy_request_errors_total{%s,route="%s",kind="server"} %d'
                          % (labels, route, server))
            latency_sum = totals[base + len(STATUS_CODES) + 1]
            buckets = totals[base + len(STATUS_CODES) + 2:base + _PER_ROUTE]
            cumulative = 0
            for bound, count in zip(BUCKETS, buckets):
                cumulative += count
                histograms.append('model_deploy_request_duration_seconds_bucket{%s,route="%s",le="%s"} %d'
                                  % (labels, route, _format_bound(bound), cumulative))
            cumulative += buckets[-1]
            histograms.append('model_deploy_request_duration_seconds_bucket{%s,route="%s",le="+Inf"} %d'
                              % (labels, route, cumulative))
            histograms.append('model_deploy_request_duration_seconds_sum{%s,route="%s"} %.9f'
                              % (labels, route, latency_sum))
            histograms.append('model_deploy_request_duration_seconds_count{%s,route="%s"} %d'
                              % (labels, route, cumulative))
        lines += ["# HELP model_deploy_request_errors_total Requests answered with 4xx (client) or 5xx (server).",
                  "# TYPE model_deploy_request_errors_total counter"] + errors
        lines += ["# HELP model_deploy_request_duration_seconds Time from request parsed to response written.",
                  "# TYPE model_deploy_request_duration_seconds histogram"] + histograms
        lines += ["# HELP model_deploy_prediction_timeouts_total Predictions that exceeded the prediction timeout "
                  "(answered 504; the worker is replaced).",
                  "# TYPE model_deploy_prediction_timeouts_total counter",
                  "model_deploy_prediction_timeouts_total{%s} %d" % (labels, totals[_TIMEOUTS])]
        for i, (name, kind, text) in enumerate(FEEDBACK):
            value = totals[_FEEDBACK + i]
            lines += ["# HELP model_deploy_feedback_%s %s" % (name, text),
                      "# TYPE model_deploy_feedback_%s %s" % (name, kind),
                      "model_deploy_feedback_%s{%s} %s" % (name, labels, _format_value(value))]
        lines += ["# HELP model_deploy_worker_restarts_total Worker processes replaced by the supervisor, by reason.",
                  "# TYPE model_deploy_worker_restarts_total counter"]
        for i, reason in enumerate(RESTART_REASONS):
            lines.append('model_deploy_worker_restarts_total{%s,reason="%s"} %d'
                         % (labels, reason, self._values[self._supervisor + i]))
        lines += ["# HELP model_deploy_worker_crash_loop 1 while workers keep dying (readiness fails), else 0.",
                  "# TYPE model_deploy_worker_crash_loop gauge",
                  "model_deploy_worker_crash_loop{%s} %d" % (labels, 1 if self.crash_loop() else 0)]
        return "\n".join(lines) + "\n"


def _format_value(value):
    return "%d" % value if value == int(value) and abs(value) < 1e15 else repr(value)


def _format_bound(bound):
    return repr(float(bound))


def _escape(value):
    return str(value).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
