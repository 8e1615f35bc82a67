"""How many workers `workers: auto` means: sized to what the container may use, not to what the node has.

In a pod, os.cpu_count() and sched_getaffinity() report the node's CPUs (8-64), not the container's share, and each
worker holds its own copy of whatever it writes; one worker per node CPU meets a 512Mi memory limit (OOMKilled) or a
250m request (CPU starvation, flapping probes). The rule, in order:

1. CPU limit: the cgroup's CFS quota (v2 `cpu.max`, v1 `cpu.cfs_quota_us` / `cpu.cfs_period_us`), rounded up;
2. else CPU request: MODEL_DEPLOY_CPU_REQUEST_MILLIS (the Deployment renders it from the downward API,
   `resourceFieldRef: requests.cpu, divisor: 1m`), rounded up, at least 1. The downward API's `limits.cpu` is not
   used: without a limit it reports the node's allocatable CPUs;
3. else one per usable core (sched_getaffinity), at most DEFAULT_CAP;

each also at most the usable cores, then fitted to the memory limit (v2 `memory.max`, v1 `memory.limit_in_bytes`),
never fewer than 1. Every function takes the file-system root as a parameter so tests can fake cgroup trees.
"""
import math
import os

CPU_REQUEST_ENV = "MODEL_DEPLOY_CPU_REQUEST_MILLIS"
WORKER_MEMORY_ENV = "MODEL_DEPLOY_WORKER_MEMORY"
# Without a limit or a request we know nothing of the pod's share of the node. Four workers use a few cores in bursts
# (requests are CPU-bound: more than the cores we get only adds context switches) while keeping at most four private
# heaps in memory; a pod that needs more throughput should declare a CPU request or limit, or scale out (the HPA).
DEFAULT_CAP = 4
# Part of the memory limit the workers may plan to use; the rest is for request buffers, the allocator's slack and
# what a worker allocates per request, which no measurement at start-up can see.
MEMORY_USABLE_SHARE = 0.8
# A worker whose runtime loads after fork (R through rpy2) cannot be measured before it exists. The budget covers the
# embedded R, rpy2 and jsonlite with a small model (the mtcars example's worker: 125 MiB resident, 102 MiB of it
# private) and as much again for data and requests; models that need more set MODEL_DEPLOY_WORKER_MEMORY (600Mi).
DEFAULT_WORKER_BUDGET = 256 << 20
# cgroup v1 reports "no limit" as the largest page-aligned counter value (9223372036854771712), not as "max".
_NO_LIMIT = 1 << 60


def cpu_limit(root="/"):
    """The CPU quota in cores (e.g. 1.5), or None without one. The tightest quota on the way up the hierarchy."""
    limits = []
    for directory in _cgroup_dirs(root, "cpu"):
        v2 = _read(os.path.join(directory, "cpu.max"))
        if v2 is not None:
            parts = v2.split()
            if len(parts) == 2 and parts[0] != "max":
                limits.append(int(parts[0]) / int(parts[1]))
            continue
        quota = _read(os.path.join(directory, "cpu.cfs_quota_us"))
        period = _read(os.path.join(directory, "cpu.cfs_period_us"))
        if quota is not None and period is not None and int(quota) > 0 and int(period) > 0:
            limits.append(int(quota) / int(period))
    return min(limits) if limits else None


def memory_limit(root="/"):
    """The memory limit in bytes, or None without one."""
    limits = []
    for directory in _cgroup_dirs(root, "memory"):
        value = _read(os.path.join(directory, "memory.max"))
        if value is None:
            value = _read(os.path.join(directory, "memory.limit_in_bytes"))
        if value is not None and value != "max" and int(value) < _NO_LIMIT:
            limits.append(int(value))
    return min(limits) if limits else None


def cpu_request_millis(environ):
    """MODEL_DEPLOY_CPU_REQUEST_MILLIS as an int, or None when unset; ValueError when it is not a positive integer."""
    value = (environ.get(CPU_REQUEST_ENV) or "").strip()
    if not value:
        return None
    try:
        millis = int(value)
    except ValueError:
        millis = 0
    if millis <= 0:
        raise ValueError("%s must be a positive integer (millicores), was %r" % (CPU_REQUEST_ENV, value))
    return millis


def worker_memory_override(environ):
    """MODEL_DEPLOY_WORKER_MEMORY in bytes (a Kubernetes quantity such as 300Mi or 1G), or None when unset."""
    value = (environ.get(WORKER_MEMORY_ENV) or "").strip()
    if not value:
        return None
    try:
        return parse_quantity(value)
    except ValueError:
        raise ValueError("%s must be a memory quantity such as 300Mi, was %r" % (WORKER_MEMORY_ENV, value)) from None


def parse_quantity(text):
    """A Kubernetes memory quantity (512Mi, 1G, 1048576) in bytes."""
    units = {"Ki": 1 << 10, "Mi": 1 << 20, "Gi": 1 << 30, "Ti": 1 << 40, "k": 10 ** 3, "M": 10 ** 6, "G": 10 ** 9,
             "T": 10 ** 12}
    for suffix, factor in units.items():
        if text.endswith(suffix):
            number = float(text[:-len(suffix)])
            break
    else:
        number, factor = float(text), 1
    if not number > 0:
        raise ValueError(text)
    return int(number * factor)


def cpu_workers(limit_cores, request_millis, usable_cpus, cap=DEFAULT_CAP):
    """(workers, reason) from the CPU rule alone."""
    if limit_cores is not None:
        count = math.ceil(round(limit_cores, 6))
        reason = "cpu limit %s cores" % _cores(limit_cores)
    elif request_millis is not None:
        count = math.ceil(request_millis / 1000)
        reason = "cpu request %dm, no cpu limit" % request_millis
    else:
        count = min(usable_cpus, cap)
        reason = "no cpu limit or request: %d usable core(s), at most %d" % (usable_cpus, cap)
    if count > usable_cpus:
        count = usable_cpus
        reason += "; %d usable core(s)" % usable_cpus
    return max(1, count), reason


def fit_memory(count, limit_bytes, shared_bytes, per_worker_bytes, how):
    """(workers, reason): at most as many workers as the memory limit holds, never fewer than 1.

    shared_bytes is held once whatever the number of workers (the supervisor's own pages, file-backed pages such as
    the interpreter and shared libraries, which the cgroup charges once); per_worker_bytes is what each worker may
    hold privately; how says where that figure comes from (for the log).
    """
    if limit_bytes is None:
        return count, "no memory limit"
    usable = int(limit_bytes * MEMORY_USABLE_SHARE) - shared_bytes
    allowed = max(1, usable // max(1, per_worker_bytes))
    reason = "memory limit %s allows %d (%d%% of it, %s shared, %s per worker %s)" % (
        format_bytes(limit_bytes), allowed, MEMORY_USABLE_SHARE * 100, format_bytes(shared_bytes),
        format_bytes(per_worker_bytes), how)
    return min(count, allowed), reason


def resident_memory(status_path="/proc/self/status"):
    """(private anonymous bytes, file-backed + shared-memory bytes) of this process, from /proc/<pid>/status."""
    values = {}
    with open(status_path) as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("RssAnon", "RssFile", "RssShmem"):
                values[key] = int(rest.split()[0]) * 1024
    return values.get("RssAnon", 0), values.get("RssFile", 0) + values.get("RssShmem", 0)


def format_bytes(value):
    for unit, factor in (("Gi", 1 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)):
        if value >= factor:
            text = "%.1f" % (value / factor)
            return (text[:-2] if text.endswith(".0") else text) + unit
    return "%dB" % value


def _cores(value):
    return ("%.3f" % value).rstrip("0").rstrip(".")


def _read(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return None


def _cgroup_dirs(root, controller):
    """This process's cgroup directories for a controller, innermost first, up to the hierarchy's mount.

    /proc/self/cgroup gives the path inside each hierarchy ("0::/path" on v2; "4:memory:/path" or
    "1:cpu,cpuacct:/path" on v1). In a container with its own cgroup namespace the path is "/"; on v1 the runtime may
    instead mount the container's cgroup at the hierarchy's mount point while /proc still shows the host path, so
    when that path does not exist under the mount, the mount itself is the container's cgroup.
    """
    base = os.path.join(root, "sys", "fs", "cgroup")
    text = _read(os.path.join(root, "proc", "self", "cgroup")) or ""
    mounts = []
    for line in text.splitlines():
        parts = line.split(":", 2)
        if len(parts) != 3:
            continue
        _, controllers, path = parts
        if controllers == "":
            mounts.append((base, path))
        elif controller in controllers.split(","):
            for name in (controllers, controller, "cpu,cpuacct" if controller == "cpu" else controller):
                if os.path.isdir(os.path.join(base, name)):
                    mounts.append((os.path.join(base, name), path))
                    break
    if not mounts:
        mounts = [(base, "/")]
        if controller == "cpu":
            mounts.append((os.path.join(base, "cpu"), "/"))
        else:
            mounts.append((os.path.join(base, controller), "/"))
    directories = []
    for mount, path in mounts:
        current = os.path.normpath(os.path.join(mount, path.lstrip("/")))
        if not os.path.isdir(current):
            current = mount
        while True:
            directories.append(current)
            if current == mount or not current.startswith(mount):
                break
            current = os.path.dirname(current)
    return directories
