#!/usr/bin/python3
"""Serving benchmark: our harness against common Python and R serving stacks, same model, same machine, one run.

For each server: open loop at a fixed rate (model-deploy's coordinated-omission-correct generator) for latency
percentiles, then closed loop with wrk (4 connections) for maximum throughput. Prints a table and the ratios the
project's goals are stated in, and writes them to bench/results/.

    bench/serving.py [--rate 100] [--seconds 30] [--wrk-seconds 15]
    bench/serving.py --vs-gunicorn --seconds 15 --wrk-seconds 5 --rounds 4    # issue 15's question, alone

--vs-gunicorn runs only our Python harness and gunicorn (Debian's, arbiter + gthread workers) carrying the same
model as a bare WSGI app (bench/peers/wsgi_app.py), both up at once with wrk rounds alternating between them (the
median round counts, so load from elsewhere falls on both), then sends both the framing attacks of bench/framing.py, and
prints the throughput ratio, the attacks each survived, and what the rule says: keep our server only if it stays
>= 2x gunicorn's throughput with the same guarantees.
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

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import framing  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
PYTHON = "/usr/bin/python3"
LAUNCHER = str(ROOT / "bin" / "model-deploy")
# The jar the launcher builds; used directly so that no rebuild can start in the middle of a measurement.
CLI_JAR = str(ROOT / "target" / "model-deploy-cli.jar")
# Servers and the generator share both CPUs, as a server would in production: pinning a server to one CPU (tried)
# halves what its workers have and raised every server's tail. bench/smoke.py, which measures the generator itself,
# pins instead.
# Both sides refuse bodies over the harness's default maxBodyBytes (1 MiB), so the framing attacks compare alike.
MAX_BODY_BYTES = 1 << 20
GUNICORN = "gunicorn gthread, bare WSGI (2 workers x 4 threads)"
HARNESS = "model-deploy harness (python, 2 workers)"
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
    parser.add_argument("--vs-gunicorn", action="store_true",
                        help="only our Python harness and gunicorn gthread, with the framing attacks and the ratio")
    parser.add_argument("--rounds", type=int, default=3,
                        help="with --vs-gunicorn: alternating wrk rounds of --wrk-seconds per server (median counts)")
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
    iris_env = dict(os.environ, MODEL_DIR=str(work / "iris-python"), MAX_BODY_BYTES=str(MAX_BODY_BYTES))
    mtcars_env = dict(os.environ, MODEL_DIR=str(work / "mtcars-r"))

    servers = [
        (HARNESS, "python", lambda p: [
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
        # The arbiter restarts dead workers and kills ones silent for --timeout s; gthread keeps idle keep-alive
        # connections in a poller, not on a thread. Limits are gunicorn's defaults (100 fields, 8190-byte fields).
        (GUNICORN, "python", lambda p: [
            PYTHON, "-m", "gunicorn", "-k", "gthread", "-w", "2", "--threads", "4", "--timeout", "30",
            "-b", "127.0.0.1:%d" % p, "--log-level", "warning", "wsgi_app:app"], iris_env),
        ("model-deploy harness (r, rpy2)", "r", lambda p: [
            "java", "-jar", CLI_JAR, "serve", str(work / "mtcars-r"), "--port", str(p), "--version", "bench"], None),
        ("plain plumber (httpuv)", "r", lambda p: [
            "Rscript", "-e", "plumber::pr_run(plumber::pr('plumber_app.R'), host='127.0.0.1', port=%d)" % p],
            mtcars_env),
    ]
    rows = []
    framings = {}
    if args.vs_gunicorn:
        rows = compare_with_gunicorn([s for s in servers if s[0] in (HARNESS, GUNICORN)], args, peers, iris_body,
                                     framings)
        servers = []
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
            if name in (HARNESS, GUNICORN):
                print("%-42s framing attacks ..." % name, file=sys.stderr)
                framings[name] = framing.run(port, "/predict", MAX_BODY_BYTES, 1.5)
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

    load = os.getloadavg()
    lines = ["# Serving benchmark, %s (load average %.2f %.2f %.2f after the runs, %d CPUs)"
             % (datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), load[0], load[1], load[2], os.cpu_count()),
             "", "Open loop %g req/s for %d s (latency from intended send time), then wrk -t2 -c4 for %d s."
             % (args.rate, args.seconds, args.wrk_seconds), "",
             "| server | p50 ms | p90 ms | p99 ms | max ms | errors | wrk req/s |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append("| %s | %.3f | %.3f | %.3f | %.3f | %d | %.0f |"
                     % (r["server"], r["p50"], r["p90"], r["p99"], r["max"], r["errors"], r["rps"]))
    by_name = {r["server"]: r for r in rows}
    lines += vs_gunicorn(by_name[HARNESS], by_name[GUNICORN], framings)
    if not args.vs_gunicorn:
        lines += peers_summary(rows, args)
    report = "\n".join(lines) + "\n"
    print(report)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / ("serving-%s.md" % datetime.datetime.now().strftime("%Y%m%d-%H%M%S"))).write_text(report)


def start(command, env, cwd):
    port = free_port()
    process = subprocess.Popen(command(port), cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    url = "http://127.0.0.1:%d/predict" % port
    wait_for_port(port, process)
    wait_for_answer(url, IRIS_BODY)
    return process, port, url


def stop(process):
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)


def compare_with_gunicorn(servers, args, peers, body_file, framings):
    """Both servers up at once; wrk rounds alternate between them (ABBA...), so that load from elsewhere on a shared
    machine falls on both alike; the median round counts. Then the framing attacks on each."""
    started = []
    try:
        for name, runtime, command, env in servers:
            started.append((name,) + start(command, env, peers))
        rows = []
        for name, process, port, url in started:
            print("%-42s open loop %g req/s for %d s ..." % (name, args.rate, args.seconds), file=sys.stderr)
            smoke = open_loop(url, str(body_file), args.rate, args.seconds)
            rows.append({"server": name, "runtime": "python", "p50": smoke["p50Ms"], "p90": smoke["p90Ms"],
                         "p99": smoke["p99Ms"], "max": smoke["maxMs"], "errors": smoke["errors"],
                         "sendDelayP99Us": smoke["sendDelayP99Us"], "rounds": []})
        for r in range(args.rounds):
            order = range(len(started)) if r % 2 == 0 else reversed(range(len(started)))
            for i in order:
                name, process, port, url = started[i]
                print("%-42s wrk -c4 round %d, %d s ..." % (name, r + 1, args.wrk_seconds), file=sys.stderr)
                rps, non2xx = closed_loop(url, IRIS_BODY, args.wrk_seconds)
                rows[i]["rounds"].append(rps)
                rows[i]["errors"] += non2xx
        for row, (name, process, port, url) in zip(rows, started):
            row["rps"] = sorted(row["rounds"])[len(row["rounds"]) // 2]
            print("%-42s framing attacks ..." % name, file=sys.stderr)
            framings[name] = framing.run(port, "/predict", MAX_BODY_BYTES, 1.5)
        return rows
    finally:
        for name, process, port, url in started:
            stop(process)


def vs_gunicorn(ours, gunicorn, framings):
    """Issue 15's rule: our server stays only if >= 2x gunicorn's throughput with the same guarantees."""
    ratio = ours["rps"] / gunicorn["rps"]
    lines = ["", "Framing attacks (bench/framing.py; the guarantee is one refusal, then the connection closed):", "",
             "| attack | %s | %s |" % (HARNESS, GUNICORN), "|---|---|---|"]
    ours_f, theirs_f = framings[HARNESS], framings[GUNICORN]
    for a, b in zip(ours_f, theirs_f):
        lines.append("| %s | %s %s | %s %s |" % (a["case"], a["verdict"], a["statuses"], b["verdict"], b["statuses"]))
    held_ours, total, ok_ours = framing.summary(ours_f)
    held_theirs, _, ok_theirs = framing.summary(theirs_f)
    same = held_ours == total and held_theirs == total and ok_ours and ok_theirs
    if held_ours == total and ok_ours and held_theirs < total:
        verdict = ("gunicorn does not give the same guarantees (%d of %d attacks held); ratio %.2fx"
                   % (held_theirs, total, ratio))
    elif same:
        verdict = ("same guarantees; %s: %.2fx %s 2x" % ("KEEP ours" if ratio >= 2 else "REPLACE ours with gunicorn",
                                                         ratio, ">=" if ratio >= 2 else "<"))
    else:
        verdict = ("neither holds every attack (ours %d, gunicorn %d of %d): the rule cannot be applied yet; "
                   "throughput ratio %.2fx" % (held_ours, held_theirs, total, ratio))
    return lines + ["",
                    "- **harness / gunicorn gthread throughput: %.2fx** (%.0f vs %.0f req/s%s); p99 at the open-loop rate "
                    "%.3f vs %.3f ms" % (ratio, ours["rps"], gunicorn["rps"], rounds(ours, gunicorn), ours["p99"],
                                         gunicorn["p99"]),
                    "- framing attacks refused and closed: ours %d of %d, gunicorn %d of %d; valid requests: %s, %s"
                    % (held_ours, total, held_theirs, total, "ok" if ok_ours else "FAILED",
                       "ok" if ok_theirs else "FAILED"),
                    "- rule (keep ours only if >= 2x with the same guarantees): " + verdict]


def rounds(ours, gunicorn):
    if "rounds" not in ours:
        return ""
    return "; median of rounds %s vs %s" % ("/".join("%.0f" % x for x in ours["rounds"]),
                                           "/".join("%.0f" % x for x in gunicorn["rounds"]))


def peers_summary(rows, args):
    ours_py = rows[0]
    best_fastapi = max(rows[1:3], key=lambda r: r["rps"])
    flask = rows[3]
    ours_r, plumber = rows[5], rows[6]
    return ["",
              "- python harness p99 at %g req/s: %.3f ms (goal <= 2 ms)" % (args.rate, ours_py["p99"]),
              "- python harness throughput / best FastAPI+uvicorn (%s): %.2fx (goal >= 1.5x)"
              % (best_fastapi["server"], ours_py["rps"] / best_fastapi["rps"]),
              "- python harness throughput / Flask+gunicorn: %.2fx" % (ours_py["rps"] / flask["rps"]),
              "- python harness p99 / best FastAPI p99: %.2fx" % (ours_py["p99"] / best_fastapi["p99"]),
              "- R harness p99 at %g req/s: %.3f ms (goal <= 10 ms)" % (args.rate, ours_r["p99"]),
              "- R harness throughput / plain plumber: %.2fx; p99 plumber / ours: %.1fx"
              % (ours_r["rps"] / plumber["rps"], plumber["p99"] / ours_r["p99"]),
              "- generator send delay p99 (us) per run: %s" % ", ".join(str(r["sendDelayP99Us"]) for r in rows)]


if __name__ == "__main__":
    main()
