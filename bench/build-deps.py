#!/usr/bin/python3
"""Build benchmark with dependencies: `model-deploy build` of a model whose model.yaml declares
`environment: {requirements: requirements.txt, wheelhouse: wheels}` against `buildah bud --layers` of the equivalent
Containerfile (pip install --target in the base image, network none), on the same inputs and the same base tar.

The inputs are made here, offline: a local source package (`mdbench-features`, versions 1.0 and 1.1, a few modules
and an 8 MiB data file, so the dependency layer weighs something) is turned into wheels with
`/usr/bin/python3 -m pip wheel --no-build-isolation --no-deps --no-index`, and a small model imports it.

Cases, each timed for both tools, written to a tar (`--to tar:` / `buildah push ... oci-archive:`):
  cold          empty caches: a fresh HOME/XDG_CACHE_HOME/java.io.tmpdir for model-deploy (so an empty
                ~/.cache/model-deploy/environments and Jib cache), an empty vfs storage for buildah
  code change   one line appended to model.py
  requirements  requirements.txt moves mdbench-features from 1.0 to 1.1
Then, for model-deploy, the cold inputs again with fresh caches: the digest must equal the cold build's.
For every build the layers that differ from the previous build's are counted (from the tar's manifest).

    bench/build-deps.py [--only model-deploy|buildah] [--base TAR] [--keep]

The base is the newest python-*.tar in ~/.cache/model-deploy/base-images (the mmdebstrap base `build` and `demo`
cache; `bin/model-deploy base-image --runtime python --to tar:PATH` makes one). buildah runs as root with its own
storage in the scratch directory (--storage-driver overlay, or vfs), runc isolation (network none), and pip from
Debian's pip wheel (/usr/share/python-wheels), which the minbase python base lacks as a package.
"""
import argparse
import datetime
import json
import os
import pathlib
import random
import shutil
import subprocess
import sys
import tarfile
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import images  # noqa: E402  (bench/images.py: ROOT, timed)

ROOT = images.ROOT
PACKAGE = "mdbench-features"
MODULE = "mdbench_features"
PIP_WHEEL_DIR = pathlib.Path("/usr/share/python-wheels")


def newest_base():
    bases = sorted((pathlib.Path.home() / ".cache" / "model-deploy" / "base-images").glob("python-*.tar"),
                   key=lambda p: p.stat().st_mtime)
    if not bases:
        sys.exit("no python base tar in ~/.cache/model-deploy/base-images: run bin/model-deploy base-image "
                 "--runtime python --to tar:PATH once, or pass --base")
    return bases[-1]


def source_package(work, version):
    """A pure-Python source package with a deterministic 8 MiB data file, built into a wheel offline."""
    src = work / ("src-%s" % version)
    pkg = src / MODULE
    pkg.mkdir(parents=True)
    (src / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n\n'
        '[project]\nname = "%s"\nversion = "%s"\n\n'
        '[tool.setuptools.package-data]\n%s = ["table.bin"]\n' % (PACKAGE, version, MODULE))
    (pkg / "__init__.py").write_text(
        '"""Feature scaling for the benchmark model (version %s)."""\nimport pathlib\n\n'
        'VERSION = "%s"\n_TABLE = pathlib.Path(__file__).with_name("table.bin")\n\n\n'
        'def scale(row):\n    """Each value times 2, plus the first byte of the table."""\n'
        '    with open(_TABLE, "rb") as f:\n        offset = f.read(1)[0]\n'
        '    return [2.0 * float(v) + offset for v in row]\n' % (version, version))
    for i in range(40):
        (pkg / ("part_%02d.py" % i)).write_text("".join("def f%d(x):\n    return x + %d\n\n\n" % (j, i * j)
                                                        for j in range(50)))
    (pkg / "table.bin").write_bytes(random.Random(version).randbytes(8 * 1024 * 1024))
    return src


def wheelhouse(work, target):
    target.mkdir()
    for version in ("1.0", "1.1"):
        # SOURCE_DATE_EPOCH: the wheel's zip entries get a fixed time, so every run has the same wheel bytes (and
        # the same environment key and image digest)
        images.timed(["/usr/bin/python3", "-m", "pip", "wheel", "--no-build-isolation", "--no-deps", "--no-index",
                      "--wheel-dir", str(target), str(source_package(work, version))],
                     env=dict(os.environ, SOURCE_DATE_EPOCH="1700000000"))
    return sorted(p.name for p in target.iterdir())


def model_dir(work):
    model = work / "model"
    (model / "samples").mkdir(parents=True)
    (model / "model.yaml").write_text(
        "name: bench-deps\nruntime: python\nentrypoint: model:Model\n"
        "data: [\"*.csv\"]\nsamples: [samples/*.json]\n"
        "environment:\n  requirements: requirements.txt\n  wheelhouse: wheels\n")
    (model / "model.py").write_text(
        "import %s\n\n\nclass Model:\n    def predict(self, instances):\n"
        "        return [sum(%s.scale(row)) for row in instances]\n" % (MODULE, MODULE))
    (model / "coefficients.csv").write_text("a,b\n1.0,2.0\n")
    (model / "samples" / "one.json").write_text('{"instances": [[1.0, 2.0]]}\n')
    (model / "requirements.txt").write_text("%s==1.0\n" % PACKAGE)
    wheelhouse(work, model / "wheels")
    return model


def layers_of(tar_path):
    """The layer digests of the image in an OCI-layout tar (model-deploy's --to tar:, buildah's oci-archive:)."""
    with tarfile.open(tar_path) as tar:
        def read(name):
            return json.load(tar.extractfile(name))
        index = read("index.json")
        manifest = read("blobs/" + index["manifests"][0]["digest"].replace(":", "/"))
        return index["manifests"][0]["digest"], [layer["digest"] for layer in manifest["layers"]]


def changed(previous, current):
    return sum(1 for digest in current if digest not in set(previous))


def run_model_deploy(work, model, base):
    cli = str(ROOT / "bin" / "model-deploy")
    images.timed([cli, "--version"])  # builds the jar when the sources are newer: not part of any timing

    def caches(name):
        home = work / ("md-" + name)
        for sub in ("home", "xdg", "tmp"):
            (home / sub).mkdir(parents=True)
        # user.home for ~/.cache/model-deploy (environments, harness), XDG_CACHE_HOME for Jib's and ours, tmpdir
        # for Jib's application-layer cache and our scratch: nothing from an earlier build survives
        return dict(os.environ, HOME=str(home / "home"), XDG_CACHE_HOME=str(home / "xdg"),
                    MODEL_DEPLOY_JAVA_OPTS="-Duser.home=%s -Djava.io.tmpdir=%s" % (home / "home", home / "tmp"))

    def build(env, version):
        out = work / ("md-%s.tar" % version)
        seconds, stdout = images.timed([cli, "build", str(model), "--version", version, "--image",
                                        "bench/deps", "--base-image", "tar:%s" % base, "--to", "tar:%s" % out,
                                        "--output", "json"], env=env)
        digest = json.loads(stdout.strip().splitlines()[-1])["digest"]
        return seconds, digest, layers_of(out)[1]

    env = caches("warm")
    results = {}
    cold_s, cold_digest, cold_layers = build(env, "1")
    results["cold"] = (cold_s, len(cold_layers))
    code_change(model)
    s, _, code_layers = build(env, "2")
    results["code change"] = (s, changed(cold_layers, code_layers))
    requirements_change(model)
    s, _, req_layers = build(env, "3")
    results["requirements"] = (s, changed(code_layers, req_layers))
    # the cold inputs again, fresh caches: same inputs, same digest
    undo_changes(model)
    s, digest, _ = build(caches("again"), "1")
    results["cold again (same inputs)"] = (s, None)
    return results, cold_digest == digest, cold_digest, digest


def code_change(model):
    with open(model / "model.py", "a") as f:
        f.write("# a one-line change\n")


def requirements_change(model):
    (model / "requirements.txt").write_text("%s==1.1\n" % PACKAGE)


def undo_changes(model):
    text = (model / "model.py").read_text()
    (model / "model.py").write_text(text.replace("# a one-line change\n", ""))
    (model / "requirements.txt").write_text("%s==1.0\n" % PACKAGE)


def run_buildah(work, model, base, driver):
    pip_wheel = sorted(PIP_WHEEL_DIR.glob("pip-*.whl"))
    if not pip_wheel:
        sys.exit("buildah half needs Debian's pip wheel in %s (apt-get install python3-pip-whl)" % PIP_WHEEL_DIR)
    ctx = work / "ctx"
    ctx.mkdir()
    shutil.copytree(ROOT / "src" / "main" / "resources" / "harness" / "python", ctx / "harness" / "python")
    shutil.copy(pip_wheel[-1], ctx / pip_wheel[-1].name)
    (ctx / "harness.json").write_text(json.dumps({"name": "bench-deps", "runtime": "python",
                                                   "entrypoint": "model:Model",
                                                   "modelDir": "/opt/model-deploy/model"}))

    def sync():
        """The model directory into the build context: dependency inputs, data and code apart, as in our layers."""
        for sub in ("deps", "data", "code"):
            shutil.rmtree(ctx / sub, ignore_errors=True)
            (ctx / sub).mkdir()
        shutil.copy(model / "requirements.txt", ctx / "deps" / "requirements.txt")
        shutil.copytree(model / "wheels", ctx / "deps" / "wheels")
        shutil.copy(model / "coefficients.csv", ctx / "data")
        for name in ("model.py", "model.yaml"):
            shutil.copy(model / name, ctx / "code" / name)
        shutil.copytree(model / "samples", ctx / "code" / "samples")

    # the requirements file is copied (it keys the layer cache, as in the usual Dockerfile pattern); the wheelhouse
    # and pip are bind-mounted, so neither ends up in a layer
    (ctx / "Containerfile").write_text(
        "FROM docker-archive:%s\n"
        "COPY deps/requirements.txt /opt/model-deploy/requirements.txt\n"
        "RUN --mount=type=bind,source=.,target=/ctx python3 /ctx/%s/pip install --no-index --no-compile"
        " --disable-pip-version-check --no-cache-dir --find-links /ctx/deps/wheels"
        " --target /opt/model-deploy/deps/python -r /opt/model-deploy/requirements.txt\n"
        "COPY harness/ /opt/model-deploy/harness/\n"
        "COPY harness.json /opt/model-deploy/harness.json\n"
        "COPY data/ /opt/model-deploy/model/\n"
        "COPY code/ /opt/model-deploy/model/\n"
        "ENV PYTHONPATH=/opt/model-deploy/harness/python:/opt/model-deploy/deps/python"
        " PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1\n"
        "USER 10001:10001\nWORKDIR /opt/model-deploy/model\nEXPOSE 8080\n"
        "ENTRYPOINT [\"python3\", \"-m\", \"mdharness\", \"--config\", \"/opt/model-deploy/harness.json\","
        " \"--host\", \"0.0.0.0\", \"--port\", \"8080\"]\n" % (base, pip_wheel[-1].name))
    storage = work / "buildah-storage.conf"
    storage.write_text('[storage]\ndriver = "%s"\ngraphroot = "%s"\nrunroot = "%s"\n'
                       % (driver, work / "buildah-graph", work / "buildah-run"))
    env = dict(os.environ, CONTAINERS_STORAGE_CONF=str(storage),
               CONTAINERS_CONF=str(ROOT / "src" / "main" / "resources" / "podman" / "containers.conf"))

    def build(version):
        image = "localhost/bench/deps:" + version
        out = work / ("buildah-%s.tar" % version)
        sync()
        build_s, _ = images.timed(["buildah", "--storage-driver", driver, "bud", "--layers", "--network", "none",
                                   "--isolation", "oci", "-f", str(ctx / "Containerfile"), "-t", image, str(ctx)],
                                  env=env)
        push_s, _ = images.timed(["buildah", "--storage-driver", driver, "push", image, "oci-archive:%s" % out],
                                 env=env)
        return build_s + push_s, layers_of(out)[1], image

    results = {}
    try:
        return buildah_cases(build, env, model, driver, results)
    finally:  # unmounts and removes what the storage holds, so the scratch directory can go
        subprocess.run(["buildah", "--storage-driver", driver, "rm", "--all"], env=env, capture_output=True)
        subprocess.run(["buildah", "--storage-driver", driver, "rmi", "--all", "--force"], env=env,
                       capture_output=True)


def buildah_cases(build, env, model, driver, results):
    s, cold_layers, image = build("1")
    results["cold"] = (s, len(cold_layers))
    check = images.timed(["buildah", "--storage-driver", driver, "from", "--quiet", image], env=env)[1].strip()
    answer = images.timed(["buildah", "--storage-driver", driver, "run", "--isolation", "oci", "--network", "none",
                           check, "python3", "-c", "import %s; print(%s.VERSION)" % (MODULE, MODULE)],
                          env=env)[1].strip()
    images.timed(["buildah", "--storage-driver", driver, "rm", check], env=env)
    if answer != "1.0":
        sys.exit("buildah's image does not import %s 1.0: %r" % (MODULE, answer))
    code_change(model)
    s, code_layers, _ = build("2")
    results["code change"] = (s, changed(cold_layers, code_layers))
    requirements_change(model)
    s, req_layers, _ = build("3")
    results["requirements"] = (s, changed(code_layers, req_layers))
    undo_changes(model)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=["model-deploy", "buildah"])
    parser.add_argument("--base", type=pathlib.Path)
    parser.add_argument("--storage-driver", default="overlay", choices=["overlay", "vfs"],
                        help="buildah's storage driver (vfs copies the whole image per layer: much slower)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory")
    args = parser.parse_args()
    base = (args.base or newest_base()).resolve()
    work = pathlib.Path(tempfile.mkdtemp(prefix="model-deploy-bench-deps-"))
    ours = theirs = None
    same = None
    try:
        model = model_dir(work)
        wheels = sorted(p.name for p in (model / "wheels").iterdir())
        print("inputs in %s: wheels %s, base %s" % (work, ", ".join(wheels), base), file=sys.stderr)
        if args.only != "model-deploy":
            theirs = run_buildah(work, model, base, args.storage_driver)
        if args.only != "buildah":
            ours, same, first, again = run_model_deploy(work, model, base)
    finally:
        if args.keep:
            print("kept %s" % work, file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)

    now = datetime.datetime.now()
    lines = ["# Build benchmark with dependencies, %s" % now.strftime("%Y-%m-%d %H:%M"), "",
             "A model with `environment: {requirements: requirements.txt, wheelhouse: wheels}` (%s, an 8 MiB "
             "pure-Python wheel built here), base %s, written to an OCI tar; buildah storage %s."
             % (PACKAGE, base.name, args.storage_driver), "",
             "| case | model-deploy build s | buildah bud --layers + push s | model-deploy / buildah "
             "| layers changed (model-deploy / buildah) |",
             "|---|---:|---:|---:|---:|"]

    def cell(results, case, index):
        if results is None or case not in results:
            return "-"
        value = results[case][index]
        return "-" if value is None else ("%.1f" % value if index == 0 else "%d" % value)

    for case in ("cold", "code change", "requirements", "cold again (same inputs)"):
        ratio = "-"
        if ours and theirs and case in ours and case in theirs:
            ratio = "%.2fx" % (ours[case][0] / theirs[case][0])
        layers = "%s / %s" % (cell(ours, case, 1), cell(theirs, case, 1))
        if case == "cold":
            layers = "all: %s / %s" % (cell(ours, case, 1), cell(theirs, case, 1))
        lines.append("| %s | %s | %s | %s | %s |" % (case, cell(ours, case, 0), cell(theirs, case, 0), ratio, layers))
    if same is not None:
        lines += ["", "- same inputs, fresh caches: %s (%s vs %s)" % ("same digest" if same else "DIFFERENT digest",
                                                                      first, again)]
    report = "\n".join(lines) + "\n"
    print(report)
    results_dir = ROOT / "bench" / "results"
    results_dir.mkdir(exist_ok=True)
    (results_dir / ("build-deps-%s.md" % now.strftime("%Y%m%d-%H%M%S"))).write_text(report)
    if same is False:
        sys.exit(1)


if __name__ == "__main__":
    main()
