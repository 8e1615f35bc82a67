#!/usr/bin/env bash
# Kubernetes benchmark on fabric8's mock API server (127.0.0.1) with the cluster simulator: watch-to-event latency,
# API requests per rollout and while waiting, catalog queries with 500 versions.   bench/kube.sh [ROLLOUTS]
# Needs the test classpath (the simulator is a test fixture), so it compiles the tests and asks Maven for it.
# The mock server's request log and Vert.x shutdown noise go to target/kube-bench.stderr.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
mvn -f offline/pom.xml -o -q test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
mkdir -p bench/results
echo "# Kubernetes benchmark, $(date '+%Y-%m-%d %H:%M')"
echo
java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -Djava.util.logging.config.file=/dev/null \
  -cp "target/classes:target/test-classes:$(cat target/bench-classpath.txt)" \
  io.jenkins.plugins.modeldeploy.kube.KubeBench "${1:-40}" 2> target/kube-bench.stderr \
  | tee "bench/results/kube-$(date +%Y%m%d-%H%M%S).md"
