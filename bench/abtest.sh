#!/usr/bin/env bash
# A/B statistics by simulation: the non-inferiority gate at the demo's and the acceptance run's traffic, and the
# superiority gate's A/A false decision rate and samples to a decision, sequential vs fixed horizon.
# Quality metrics: A/A with three gated metrics read every second, and decision time vs fixed horizon at twice the
# margin for a proportion and a mean.
#   bench/abtest.sh [EXPERIMENTS] [quality]   (default 10000; "quality": only the quality-metric part of issue 17)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/bin/model-deploy" --version >/dev/null   # builds the CLI jar when stale
mkdir -p "$root/bench/results"
echo "# A/B statistics simulation, $(date '+%Y-%m-%d %H:%M')"
echo
java -cp "$root/target/model-deploy-cli.jar" "$root/bench/AbTestBench.java" "${1:-10000}" ${2:-} \
  | tee "$root/bench/results/abtest-$(date +%Y%m%d-%H%M%S).md"
