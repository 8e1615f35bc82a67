#!/usr/bin/python3
"""Serving benchmark: our harness against common Python and R serving stacks, same model, same machine, one run.

For each server: open loop at a fixed rate (model-deploy's coordinated-omission-correct generator) for latency
percentiles, then closed loop with wrk (4 connections) for maximum throughput. Prints a table and the ratios the
project's goals are stated in, and writes them to bench/results/.

    bench/serving.py [--rate 100] [--seconds 30] [--wrk-seconds 15]
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
PYTHON = "/usr/bin/python3"
LAUNCHER = str(ROOT / "bin" / "model-deploy")
# The jar the launcher builds; used directly so that no rebuild can start in the middle of a measurement.
CLI_JAR = str(ROOT / "target" / "model-deploy-cli.jar")
# Servers and the generator share both CPUs, as a server would in production: pinning a server to one CPU (tried)
# halves what its workers have and raised every server's tail. bench/smoke.py, which measures the generator itself,
# pins instead.
IRIS_BODY = '{"instances": [[5.1, 3.5, 1.4, 0.2]]}'
MTCARS_BODY = '{"instances": [{"wt": 2.62, "hp": 110}]}'


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port, process, timeout=90):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError("server exited with %d before listening" % process.returncode)
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("port %d not listening after %d s" % (port, timeout))


def wait_for_answer(url, body, timeout=90):
    deadline = time.time() + timeout
    while time.time() < deadline:
        result = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", url,
                                 "-H", "Content-Type: application/json", "-d", body], capture_output=True, text=True)
        if result.stdout == "200":
            return
        time.sleep(0.3)
    raise RuntimeError("%s never answered 200" % url)


def open_loop(url, body_file, rate, seconds):
    # Thresholds are not the point here (exit code 1 on a miss): the figures are read from the JSON line.
    result = subprocess.run(["java", "-jar", CLI_JAR, "smoke", "--url", url, "--rate", str(rate),
                             "--duration", "%ds" % (seconds + 5), "--warmup", "5s", "--payload", body_file,
                             "--output", "json"], capture_output=True, text=True)
    if not result.stdout.strip():
        raise RuntimeError("smoke run against %s failed: %s" % (url, result.stderr.strip()))
    return json.loads(result.stdout.strip().splitlines()[-1])


def closed_loop(url, body, seconds):
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write('wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.body = %s\n'
                     % json.dumps(body))
    try:
        output = subprocess.run(["wrk", "-t2", "-c4", "-d%ds" % seconds, "-s", script.name, url],
                                capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return rps, int(non2xx.group(1)) if non2xx else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--wrk-seconds", type=int, default=15)
    args = parser.parse_args()

    subprocess.run([str(ROOT / "bin" / "setup"), "bench"], check=True)
    subprocess.run([LAUNCHER, "--version"], check=True, capture_output=True)  # builds the CLI once, before timing
    work = pathlib.Path(tempfile.mkdtemp(prefix="model-deploy-bench-"))
    for example in ("iris-python", "mtcars-r"):
        shutil.copytree(ROOT / "examples" / example, work / example)
    subprocess.run([PYTHON, "train.py"], cwd=work / "iris-python", check=True, capture_output=True)
    subprocess.run(["Rscript", "train.R"], cwd=work / "mtcars-r", check=True, capture_output=True)
    iris_body = work / "iris.json"
    iris_body.write_text(IRIS_BODY)
    mtcars_body = work / "mtcars.json"
    mtcars_body.write_text(MTCARS_BODY)
    peers = ROOT / "bench" / "peers"
    iris_env = dict(os.environ, MODEL_DIR=str(work / "iris-python"))
    mtcars_env = dict(os.environ, MODEL_DIR=str(work / "mtcars-r"))

    servers = [
        ("model-deploy harness (python, 2 workers)", "python", lambda p: [
            "java", "-jar", CLI_JAR, "serve", str(work / "iris-python"), "--port", str(p), "--workers", "2", "--version", "bench"], None),
        ("FastAPI + uvicorn (1 worker)", "python", lambda p: [
            PYTHON, "-m", "uvicorn", "fastapi_app:app", "--host", "127.0.0.1", "--port", str(p), "--workers", "1",
            "--log-level", "warning"], iris_env),
        ("FastAPI + uvicorn (2 workers)", "python", lambda p: [
            PYTHON, "-m", "uvicorn", "fastapi_app:app", "--host", "127.0.0.1", "--port", str(p), "--workers", "2",
            "--log-level", "warning"], iris_env),
        ("Flask + gunicorn (2 workers)", "python", lambda p: [
            PYTHON, "-m", "gunicorn", "-w", "2", "-b", "127.0.0.1:%d" % p, "--log-level", "warning",
            "flask_app:app"], iris_env),
        ("model-deploy harness (r, rpy2)", "r", lambda p: [
            "java", "-jar", CLI_JAR, "serve", str(work / "mtcars-r"), "--port", str(p), "--version", "bench"], None),
        ("plain plumber (httpuv)", "r", lambda p: [
            "Rscript", "-e", "plumber::pr_run(plumber::pr('plumber_app.R'), host='127.0.0.1', port=%d)" % p],
            mtcars_env),
    ]
    rows = []
    for name, runtime, command, env in servers:
        port = free_port()
        body, body_file = (IRIS_BODY, iris_body) if runtime == "python" else (MTCARS_BODY, mtcars_body)
        process = subprocess.Popen(command(port), cwd=peers, env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            url = "http://127.0.0.1:%d/predict" % port
            wait_for_port(port, process)
            wait_for_answer(url, body)
            print("%-42s open loop %g req/s for %d s ..." % (name, args.rate, args.seconds), file=sys.stderr)
            smoke = open_loop(url, str(body_file), args.rate, args.seconds)
            print("%-42s wrk -c4 for %d s ..." % (name, args.wrk_seconds), file=sys.stderr)
            rps, non2xx = closed_loop(url, body, args.wrk_seconds)
            rows.append({"server": name, "runtime": runtime, "p50": smoke["p50Ms"], "p90": smoke["p90Ms"],
                         "p99": smoke["p99Ms"], "max": smoke["maxMs"], "errors": smoke["errors"] + non2xx,
                         "sendDelayP99Us": smoke["sendDelayP99Us"], "rps": rps})
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
    shutil.rmtree(work, ignore_errors=True)

    lines = ["# Serving benchmark, %s" % datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
             "", "Open loop %g req/s for %d s (latency from intended send time), then wrk -t2 -c4 for %d s."
             % (args.rate, args.seconds, args.wrk_seconds), "",
             "| server | p50 ms | p90 ms | p99 ms | max ms | errors | wrk req/s |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append("| %s | %.3f | %.3f | %.3f | %.3f | %d | %.0f |"
                     % (r["server"], r["p50"], r["p90"], r["p99"], r["max"], r["errors"], r["rps"]))
    ours_py = rows[0]
    best_fastapi = max(rows[1:3], key=lambda r: r["rps"])
    flask = rows[3]
    ours_r, plumber = rows[4], rows[5]
    lines += ["",
              "- python harness p99 at %g req/s: %.3f ms (goal <= 2 ms)" % (args.rate, ours_py["p99"]),
              "- python harness throughput / best FastAPI+uvicorn (%s): %.2fx (goal >= 1.5x)"
              % (best_fastapi["server"], ours_py["rps"] / best_fastapi["rps"]),
              "- python harness throughput / Flask+gunicorn: %.2fx" % (ours_py["rps"] / flask["rps"]),
              "- python harness p99 / best FastAPI p99: %.2fx" % (ours_py["p99"] / best_fastapi["p99"]),
              "- R harness p99 at %g req/s: %.3f ms (goal <= 10 ms)" % (args.rate, ours_r["p99"]),
              "- R harness throughput / plain plumber: %.2fx; p99 plumber / ours: %.1fx"
              % (ours_r["rps"] / plumber["rps"], plumber["p99"] / ours_r["p99"]),
              "- generator send delay p99 (us) per run: %s" % ", ".join(str(r["sendDelayP99Us"]) for r in rows)]
    report = "\n".join(lines) + "\n"
    print(report)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / ("serving-%s.md" % datetime.datetime.now().strftime("%Y%m%d-%H%M%S"))).write_text(report)


if __name__ == "__main__":
    main()
