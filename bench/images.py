#!/usr/bin/python3
"""Image build benchmark: model-deploy build (Jib core) against buildah bud, same model, same base, same registry.

Cold build+push (empty caches, empty repository), then a warm rebuild after a one-line code change, for both;
prints times, layers and bytes pushed. Goals: warm <= 0.2x cold; one layer and a few KB for a code change; no
slower than buildah's cached rebuild.

    bench/images.py
"""
import datetime
import json
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
CLI_JAR = str(ROOT / "target" / "model-deploy-cli.jar")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def timed(command, env=None, cwd=None):
    start = time.monotonic()
    result = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError("%s failed: %s" % (" ".join(command[:3]), result.stderr.strip()[-2000:]))
    return time.monotonic() - start, result.stdout


def main():
    subprocess.run([str(ROOT / "bin" / "setup"), "bench"], check=True)
    subprocess.run([str(ROOT / "bin" / "model-deploy"), "--version"], check=True, capture_output=True)
    work = pathlib.Path(tempfile.mkdtemp(prefix="model-deploy-bench-images-"))
    base = pathlib.Path.home() / ".cache" / "model-deploy" / "bench-python-base.tar"
    if not base.exists():
        print("building the python base once (mmdebstrap) ...", file=sys.stderr)
        subprocess.run(["java", "-jar", CLI_JAR, "base-image", "--runtime", "python", "--to", "tar:%s" % base],
                       check=True)
    port = free_port()
    (work / "registry").mkdir()
    (work / "registry.yml").write_text("version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n"
                                       "    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:%d\n" % (work / "registry", port))
    registry = subprocess.Popen(["docker-registry", "serve", str(work / "registry.yml")], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
    try:
        time.sleep(1)
        model = work / "iris-python"
        shutil.copytree(ROOT / "examples" / "iris-python", model)
        subprocess.run(["/usr/bin/python3", "train.py"], cwd=model, check=True, capture_output=True)
        host = "127.0.0.1:%d" % port

        # model-deploy build: fresh Jib caches for the cold run
        env = dict(os.environ, XDG_CACHE_HOME=str(work / "xdg"))
        jvm = ["java", "-Djava.io.tmpdir=%s" % (work / "tmp"), "-jar", CLI_JAR]
        (work / "tmp").mkdir()

        def ours(version):
            seconds, out = timed(jvm + ["build", str(model), "--version", version, "--image", host + "/md/iris",
                                        "--base-image", "tar:%s" % base, "--insecure-registry", "--output", "json"],
                                 env=env)
            return seconds, json.loads(out.strip().splitlines()[-1])

        cold_s, cold = ours("1")
        with open(model / "model.py", "a") as f:
            f.write("# a one-line change\n")
        warm_s, warm = ours("2")

        # buildah bud of the equivalent Dockerfile, project-local storage (vfs), layer cache on
        ctx = work / "ctx"
        ctx.mkdir()
        shutil.copytree(ROOT / "src" / "main" / "resources" / "harness" / "python", ctx / "harness" / "python")
        shutil.copytree(model, ctx / "model", ignore=shutil.ignore_patterns("train.py", "__pycache__"))
        (ctx / "harness.json").write_text(json.dumps({"name": "iris", "runtime": "python",
                                                       "entrypoint": "model:IrisClassifier",
                                                       "modelDir": "/opt/model-deploy/model"}))
        (ctx / "Dockerfile").write_text(
            "FROM docker-archive:%s\n"
            "COPY harness/ /opt/model-deploy/harness/\n"
            "COPY model/model.pkl /opt/model-deploy/model/\n"
            "COPY model/ /opt/model-deploy/model/\n"
            "COPY harness.json /opt/model-deploy/harness.json\n"
            "ENV PYTHONPATH=/opt/model-deploy/harness/python PYTHONDONTWRITEBYTECODE=1\n"
            "USER 10001:10001\nWORKDIR /opt/model-deploy/model\nEXPOSE 8080\n"
            "ENTRYPOINT [\"python3\", \"-m\", \"mdharness\", \"--config\", \"/opt/model-deploy/harness.json\"]\n" % base)
        storage = work / "buildah-storage.conf"
        storage.write_text('[storage]\ndriver = "vfs"\ngraphroot = "%s"\nrunroot = "%s"\n'
                           % (work / "buildah-graph", work / "buildah-run"))
        benv = dict(os.environ, CONTAINERS_STORAGE_CONF=str(storage),
                    CONTAINERS_CONF=str(ROOT / "src" / "test" / "resources" / "podman" / "containers.conf"))

        def buildah(version):
            image = host + "/buildah/iris:" + version
            build_s, _ = timed(["buildah", "bud", "--layers", "--isolation", "chroot", "-t", image, str(ctx)],
                               env=benv)
            push_s, _ = timed(["buildah", "push", "--tls-verify=false", image, "docker://" + image], env=benv)
            return build_s + push_s

        b_cold = buildah("1")
        with open(ctx / "model" / "model.py", "a") as f:
            f.write("# a one-line change\n")
        b_warm = buildah("2")
    finally:
        registry.terminate()
        registry.wait(10)
        shutil.rmtree(work, ignore_errors=True)

    lines = ["# Image build benchmark, %s" % datetime.datetime.now().strftime("%Y-%m-%d %H:%M"), "",
             "iris-python on a mmdebstrap python base (docker-save tar), pushed to docker-registry on 127.0.0.1.", "",
             "| build | seconds | layers pushed | bytes pushed |", "|---|---:|---:|---:|",
             "| model-deploy build, cold (empty caches) | %.1f | %d | %d |" % (cold_s, cold["layersPushed"],
                                                                              cold["bytesPushed"]),
             "| model-deploy build, warm (one-line code change) | %.1f | %d | %d |" % (warm_s, warm["layersPushed"],
                                                                                      warm["bytesPushed"]),
             "| buildah bud + push, cold | %.1f | | |" % b_cold,
             "| buildah bud + push, warm (cached layers, one-line code change) | %.1f | | |" % b_warm, "",
             "- warm / cold: %.2fx (goal <= 0.2x)" % (warm_s / cold_s),
             "- code change pushed %d layer(s), %d bytes (goal: one layer, a few KB)" % (warm["layersPushed"],
                                                                                        warm["bytesPushed"]),
             "- model-deploy warm / buildah warm: %.2fx (goal <= 1.0x; ours includes JVM start-up)" % (warm_s / b_warm)]
    report = "\n".join(lines) + "\n"
    print(report)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / ("images-%s.md" % datetime.datetime.now().strftime("%Y%m%d-%H%M%S"))).write_text(report)


if __name__ == "__main__":
    main()
