"""Model runtimes: how a model is loaded and called. Python models run in the request threads; R models run on
the worker's main thread (embedded R through rpy2 is single-threaded and must stay on the thread that started it).
"""
import importlib
import inspect
import json
import os
import queue
import sys
import threading


class PredictionTimeout(Exception):
    pass


class PythonRuntime:
    """A Python model's predict runs on a model thread while the request thread waits at most `predict_timeout`:
    a thread stuck in Python (or C) code cannot be interrupted, so the request gets its 504 from the request thread,
    and `on_timeout` (set by the worker) has the stuck worker replaced."""
    name = "python"

    def __init__(self, model_dir, entrypoint, signature, predict_timeout=30.0):
        self._model_dir = model_dir
        self._module, self._attribute = entrypoint.split(":", 1)
        self._predict = None
        self._timeout = predict_timeout
        self._threads = _ModelThreads()
        self.on_timeout = None

    def load(self):
        if self._model_dir not in sys.path:
            sys.path.insert(0, self._model_dir)
        module = importlib.import_module(self._module)
        target = getattr(module, self._attribute, None)
        if target is None:
            raise RuntimeError("entrypoint %s:%s: module %s has no attribute %s"
                               % (self._module, self._attribute, self._module, self._attribute))
        if inspect.isclass(target):
            instance = target()
            predict = getattr(instance, "predict", None)
            if not callable(predict):
                raise RuntimeError("entrypoint %s:%s: class has no predict method" % (self._module, self._attribute))
            self._predict = predict
        elif callable(target):
            self._predict = target
        else:
            raise RuntimeError("entrypoint %s:%s: is neither a function nor a class" % (self._module, self._attribute))

    def predict(self, instances):
        try:
            return self._threads.call(self._predict, instances, self._timeout)
        except PredictionTimeout:
            if self.on_timeout is not None:
                self.on_timeout()
            raise

    def run_pending(self, timeout):
        """Python predictions run in the request threads: nothing to do on the main thread."""

    def needs_main_thread(self):
        return False


class RRuntime:
    """R through rpy2, fed by a queue: request threads enqueue, the main thread evaluates."""
    name = "r"

    def __init__(self, model_dir, entrypoint, signature, predict_timeout=30.0):
        self._model_dir = model_dir
        file_name, _, function_name = entrypoint.partition(":")
        self._file = os.path.join(model_dir, file_name)
        self._function = function_name or "predict"
        self._columns = [i["name"] for i in signature["inputs"]] if signature else []
        self._calls = queue.Queue()
        self._invoke = None
        self._timeout = predict_timeout
        self.on_timeout = None

    def load(self):
        # A larger initial R heap makes R's garbage collections rarer: fewer multi-millisecond pauses per request.
        os.environ.setdefault("R_NSIZE", "2M")
        os.environ.setdefault("R_VSIZE", "256M")
        _check_r_stack()
        try:
            import rpy2.robjects as robjects  # starts the embedded R on this (the main) thread
        except ImportError as e:
            raise RuntimeError("the r runtime needs R and rpy2 next to this python (Debian: apt-get install "
                               "r-base-core r-cran-jsonlite python3-rpy2): %s" % e) from None

        # The R side parses the instances with jsonlite and serialises the result with it: one string in, one
        # string out, no per-value conversion in Python.
        # The R side parses the instances with jsonlite; an atomic result without NA comes back as an R vector
        # (converted element-wise here, cheaper than jsonlite::toJSON), anything else as JSON text.
        factory = robjects.r(r'''
function(file, fname, columns) {
  nonfinite <- function(x) {
    if (is.list(x)) return(any(vapply(x, nonfinite, logical(1))))
    is.numeric(x) && any(is.nan(x) | is.infinite(x))
  }
  env <- new.env(parent = globalenv())
  # quit() in model code would end the worker with the request unanswered: it becomes an R error (a 500) instead.
  # Defined before the model's file is sourced, so a model defining its own quit keeps it.
  env$quit <- env$q <- function(...) stop("the model called quit(), which would stop the server; signal an error instead")
  sys.source(file, envir = env, chdir = FALSE)
  if (!exists(fname, envir = env, mode = "function", inherits = FALSE))
    stop(sprintf("%s does not define a function %s(df)", basename(file), fname))
  fn <- get(fname, envir = env, mode = "function")
  function(json) {
    df <- jsonlite::fromJSON(json, simplifyVector = TRUE)
    if (is.matrix(df) || is.atomic(df)) {
      df <- as.data.frame(if (is.matrix(df)) df else matrix(df, ncol = 1))
      if (length(columns) == ncol(df)) names(df) <- columns
    } else if (!is.data.frame(df)) {
      df <- as.data.frame(do.call(rbind, lapply(df, unlist)))
    }
    res <- fn(df)
    if (is.factor(res)) res <- as.character(res)
    # jsonlite writes NaN and Inf as null: a non-finite number anywhere in the output is an error, as in Python
    if (nonfinite(res)) stop("the model's output holds NaN or an infinite number, which JSON cannot carry (non-finite model output)")
    # NaN (unlike NA) goes back as a number, so the harness refuses it (jsonlite would write it as null)
    if (is.atomic(res) && is.null(dim(res)) && !any(is.na(res) & !is.nan(res))) return(unname(res))
    if (is.data.frame(res)) {
      out <- jsonlite::toJSON(res, dataframe = "rows", digits = NA, na = "null")
    } else {
      out <- jsonlite::toJSON(unname(res), digits = NA, na = "null")
    }
    structure(as.character(out), class = "model_deploy_json")
  }
}''')
        self._invoke = factory(self._file, self._function, robjects.StrVector(self._columns))

    def predict(self, instances):
        call = _Call(json.dumps(instances, separators=(",", ":")))
        self._calls.put(call)
        if not call.done.wait(self._timeout):
            call.abandoned = True
            if self.on_timeout is not None:
                self.on_timeout()
            raise PredictionTimeout("prediction took longer than %.0f s" % self._timeout)
        if call.error is not None:
            raise call.error
        return call.result

    def needs_main_thread(self):
        return True

    def run_pending(self, timeout):
        try:
            call = self._calls.get(timeout=timeout)
        except queue.Empty:
            return
        while call is not None:
            if not call.abandoned:
                try:
                    call.result = _from_r(self._invoke(call.payload))
                except Exception as e:  # the R error text becomes the 500 answer; R printed it to the log
                    call.error = e
                call.done.set()
            try:
                call = self._calls.get_nowait()
            except queue.Empty:
                call = None


def _check_r_stack():
    """Turns R's C stack check on before R starts. rpy2 switches it off by default (R_CStackLimit = -1, so that R may
    run on other threads); the harness evaluates R on the main thread only, where the check works, and without it a
    deeply recursive model overflows the stack and the worker dies with SIGSEGV instead of answering 500 ("C stack
    usage … is too close to the limit", as R itself says). The limit is the main thread's stack size, as R sets it."""
    try:
        import resource
        import rpy2.rinterface_lib.embedded as embedded
    except ImportError:
        return  # load() reports a missing rpy2
    soft, _ = resource.getrlimit(resource.RLIMIT_STACK)
    if soft != resource.RLIM_INFINITY and soft > 0 and hasattr(embedded, "_DEFAULT_C_STACK_LIMIT"):
        embedded._DEFAULT_C_STACK_LIMIT = soft


def _from_r(value):
    """An R vector as a Python list; the JSON text the R side produced for anything else, parsed."""
    if "model_deploy_json" in (value.rclass or ()):
        return json.loads(value[0])
    return list(value)


class _Call:
    __slots__ = ("payload", "done", "result", "error", "abandoned")

    def __init__(self, payload):
        self.payload = payload
        self.done = threading.Event()
        self.result = None
        self.error = None
        self.abandoned = False


class _ModelThreads:
    """Idle model threads, reused: a hand-over is two lock releases, no thread start per request. A thread whose call
    timed out is never reused (it is still inside the model); it ends with its worker process."""

    def __init__(self):
        self._idle = []
        self._lock = threading.Lock()

    def call(self, function, argument, timeout):
        with self._lock:
            thread = self._idle.pop() if self._idle else None
        if thread is None:
            thread = _ModelThread()
        result = thread.run(function, argument, timeout)  # raises PredictionTimeout: the thread is abandoned
        with self._lock:
            self._idle.append(thread)
        ok, value = result
        if ok:
            return value
        raise value.with_traceback(value.__traceback__)


class _ModelThread:
    def __init__(self):
        self._go = threading.Lock()
        self._go.acquire()
        self._done = threading.Lock()
        self._done.acquire()
        self._job = None
        self._result = None
        threading.Thread(target=self._loop, name="model", daemon=True).start()

    def run(self, function, argument, timeout):
        self._job = (function, argument)
        self._go.release()
        if not self._done.acquire(timeout=timeout):
            raise PredictionTimeout("prediction took longer than %g s" % timeout)
        result, self._result, self._job = self._result, None, None
        return result

    def _loop(self):
        while True:
            self._go.acquire()
            function, argument = self._job
            try:
                self._result = (True, function(argument))
            except BaseException as e:  # SystemExit, KeyboardInterrupt included: the request thread decides
                self._result = (False, e)
            self._done.release()


def create(runtime, model_dir, entrypoint, signature, predict_timeout):
    if runtime == "python":
        return PythonRuntime(model_dir, entrypoint, signature, predict_timeout)
    if runtime == "r":
        return RRuntime(model_dir, entrypoint, signature, predict_timeout)
    raise ValueError("unknown runtime %r (expected python or r)" % runtime)
