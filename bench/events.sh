#!/usr/bin/env bash
# Event bus benchmark: confirmed persistent events per second, our RabbitMQ sink vs the batch-confirm baseline,
# against a private RabbitMQ node on 127.0.0.1 started here.   bench/events.sh [EVENTS]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/bin/setup" bench
"$root/bin/model-deploy" --version >/dev/null   # builds the CLI jar when stale
base="$(mktemp -d /tmp/model-deploy-bench-rabbit.XXXXXX)"
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
dist=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
node="mdbench$$@localhost"
echo '[].' > "$base/enabled_plugins"
printf 'listeners.tcp.default = 127.0.0.1:%s\n' "$port" > "$base/rabbitmq.conf"
export RABBITMQ_NODENAME="$node" RABBITMQ_NODE_PORT="$port" RABBITMQ_DIST_PORT="$dist" \
  RABBITMQ_MNESIA_BASE="$base/mnesia" RABBITMQ_LOG_BASE="$base/log" RABBITMQ_ENABLED_PLUGINS_FILE="$base/enabled_plugins" \
  RABBITMQ_CONFIG_FILE="$base/rabbitmq" RABBITMQ_PID_FILE="$base/rabbit.pid"
/usr/lib/rabbitmq/bin/rabbitmq-server > "$base/server.out" 2>&1 &
trap '/usr/lib/rabbitmq/bin/rabbitmqctl -n "$node" stop >/dev/null 2>&1 || true; rm -rf "$base"' EXIT
for _ in $(seq 1 300); do
  (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  sleep 0.2
done
echo "# Event bus benchmark, $(date '+%Y-%m-%d %H:%M')"
echo
java -cp "$root/target/model-deploy-cli.jar" "$root/bench/EventsBench.java" "amqp://guest:guest@127.0.0.1:$port" "${1:-20000}" \
  | tee "$root/bench/results/events-$(date +%Y%m%d-%H%M%S).md"
