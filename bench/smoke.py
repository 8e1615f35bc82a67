#!/usr/bin/python3
"""Load-generator benchmark: model-deploy's open-loop smoke generator against the iris harness, next to wrk.

Prints, for 100 and 1000 req/s: latency percentiles, the scheduler's send-time error (how late requests left
compared with their intended time) and the generator's CPU use (its own threads, and the whole JVM); then wrk's
closed-loop figures on the same endpoint. Goals: send-time error p99 < 1 ms; <= 5% of one core at 100 req/s.

    bench/smoke.py [--seconds 30]
"""
import argparse
import datetime
import json
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
CLI_JAR = str(ROOT / "target" / "model-deploy-cli.jar")
BODY = '{"instances": [[5.1, 3.5, 1.4, 0.2]]}'


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def smoke(url, body_file, rate, seconds):
    """Runs the generator under /usr/bin/time: (result JSON, whole-process CPU seconds)."""
    command = ["/usr/bin/time", "-f", "CPU %U %S", "taskset", "-c", "0", "java", "-jar", CLI_JAR, "smoke", "--url", url,
               "--rate", str(rate), "--duration", "%ds" % (seconds + 5), "--warmup", "5s", "--payload", body_file,
               "--p99", "1h", "--output", "json"]
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError("smoke at %s req/s failed: %s" % (rate, result.stderr.strip()))
    cpu = re.search(r"CPU ([\d.]+) ([\d.]+)", result.stderr)
    return json.loads(result.stdout.strip().splitlines()[-1]), float(cpu.group(1)) + float(cpu.group(2))


def wrk(url, connections, seconds):
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = %s\n'
                     % json.dumps(BODY))
    try:
        out = subprocess.run(["taskset", "-c", "0", "wrk", "-t1" if connections == 1 else "-t2", "-c%d" % connections,
                              "-d%ds" % seconds, "--latency", "-s", script.name, url],
                             capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)

    def ms(label):
        value, unit = re.search(r"%s\s+([\d.]+)(us|ms|s)" % label, out).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    return {"p50": ms("50%"), "p99": ms("99%"), "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=30)
    args = parser.parse_args()
    subprocess.run([str(ROOT / "bin" / "setup"), "bench"], check=True)
    subprocess.run([str(ROOT / "bin" / "model-deploy"), "--version"], check=True, capture_output=True)
    work = pathlib.Path(tempfile.mkdtemp(prefix="model-deploy-bench-"))
    shutil.copytree(ROOT / "examples" / "iris-python", work / "iris-python")
    subprocess.run(["/usr/bin/python3", "train.py"], cwd=work / "iris-python", check=True, capture_output=True)
    body_file = work / "body.json"
    body_file.write_text(BODY)
    port = free_port()
    # The generator (and wrk) run on CPU 0, the server under test on CPU 1: the measuring tool and the measured
    # server must not preempt each other on this 2-core machine.
    server = subprocess.Popen(["taskset", "-c", "1", "java", "-jar", CLI_JAR, "serve", str(work / "iris-python"), "--port", str(port),
                               "--workers", "2", "--version", "bench"], stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    rows = []
    try:
        server.stdout.readline()  # "Serving ... at URL" once every worker is ready
        url = "http://127.0.0.1:%d/predict" % port
        for rate in (100, 1000):
            print("open loop %d req/s for %d s ..." % (rate, args.seconds), file=sys.stderr)
            result, process_cpu = smoke(url, str(body_file), rate, args.seconds)
            run_seconds = args.seconds + 5
            rows.append((rate, result, result["generatorCpuSeconds"] / run_seconds * 100,
                         process_cpu / run_seconds * 100))
        print("wrk -c1 and -c4 for 15 s ...", file=sys.stderr)
        wrk1 = wrk(url, 1, 15)
        wrk4 = wrk(url, 4, 15)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
        shutil.rmtree(work, ignore_errors=True)

    lines = ["# Load-generator benchmark, %s" % datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), "",
             "Target: the iris harness (2 workers, pinned to CPU 1) on loopback; generator and wrk on CPU 0. Open loop for"
             " %d s after a 5 s warm-up." % args.seconds,
             "", "| run | achieved req/s | p50 ms | p99 ms | max ms | send error p50 us | send error p99 us"
             " | generator threads CPU % of a core | whole JVM CPU % |", "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for rate, r, threads_cpu, jvm_cpu in rows:
        lines.append("| model-deploy smoke %d req/s | %.1f | %.3f | %.3f | %.3f | %d | %d | %.1f | %.1f |"
                     % (rate, r["achievedRate"], r["p50Ms"], r["p99Ms"], r["maxMs"], r["sendDelayP50Us"],
                        r["sendDelayP99Us"], threads_cpu, jvm_cpu))
    lines.append("| wrk -c1 (closed loop) | %.0f | %.3f | %.3f | | | | | |" % (wrk1["rps"], wrk1["p50"], wrk1["p99"]))
    lines.append("| wrk -c4 (closed loop) | %.0f | %.3f | %.3f | | | | | |" % (wrk4["rps"], wrk4["p50"], wrk4["p99"]))
    r100 = rows[0]
    lines += ["",
              "- send-time error p99 at 100 / 1000 req/s: %d / %d us (goal < 1000 us)"
              % (rows[0][1]["sendDelayP99Us"], rows[1][1]["sendDelayP99Us"]),
              "- generator CPU at 100 req/s: %.1f%% of one core for its threads, %.1f%% for the whole JVM including"
              " start-up and JIT (goal <= 5%%)" % (r100[2], r100[3]),
              "- our p50 at 100 req/s / wrk -c1 p50: %.2fx (open loop on an idle machine vs back-to-back requests)"
              % (r100[1]["p50Ms"] / wrk1["p50"])]
    report = "\n".join(lines) + "\n"
    print(report)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / ("smoke-%s.md" % datetime.datetime.now().strftime("%Y%m%d-%H%M%S"))).write_text(report)


if __name__ == "__main__":
    main()
