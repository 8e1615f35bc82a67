#!/usr/bin/env bash
# Latency the local gateway adds: the iris example at 100 req/s, direct vs through the gateway, and through it with
# prediction logging on (file, sample 1.0) when the gateway takes a prediction sink; then the log writer's offer()
# alone.
#   bench/gateway.sh [SECONDS_PER_ROUND]   (default 30; 0: only the writer's offer())
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/bin/setup" bench
"$root/bin/model-deploy" --version >/dev/null   # builds the CLI jar when stale
mkdir -p "$root/bench/results"
echo "# Local gateway overhead, $(date '+%Y-%m-%d %H:%M')"
echo
java -cp "$root/target/model-deploy-cli.jar" "$root/bench/GatewayBench.java" "$root/examples" "${1:-30}" \
  | tee "$root/bench/results/gateway-$(date +%Y%m%d-%H%M%S).md"
