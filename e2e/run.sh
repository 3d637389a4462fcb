#!/usr/bin/env bash
# Real-clients suite: starts the single-node jar on stories260K (../shared/models), waits for health,
# then runs the official npm clients (llama-stack-client, openai) against it with node's test runner.
# Usage: e2e/run.sh   (builds distributions/single-node/target/herd.jar when missing; HERD_REBUILD=1 forces)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
. "$root/.mvn/find-jdk.sh"

model="${HERD_E2E_MODEL:-$root/../shared/models/stories260K.gguf}"
if [ ! -f "$model" ]; then
  echo "e2e: test model absent: $model (the shared models directory must sit beside the repository)" >&2
  exit 1
fi
jar="$root/distributions/single-node/target/herd.jar"
if [ ! -f "$jar" ] || [ "${HERD_REBUILD:-}" = 1 ]; then
  ./mvnw -q -DskipTests package -pl distributions/single-node -am
fi

# A port nobody listens on (nothing answers a connect); good enough for a test run.
free_port() {
  local p
  while :; do
    p=$(( 20000 + RANDOM % 40000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return; fi
  done
}
http_port="$(free_port)"
grpc_port="$(free_port)"
home="$(mktemp -d)"
log="$home/server.log"
export HERD_API_KEY="e2e-$(date +%s)-$$"
export HERD_HOME="$home"

"$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
  -jar "$jar" serve --model "$model" --port "$http_port" --grpc-port "$grpc_port" >"$log" 2>&1 &
server=$!
cleanup() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  rm -rf "$home"
}
trap cleanup EXIT

echo "e2e: waiting for the server (pid $server) on port $http_port..." >&2
for _ in $(seq 1 240); do
  if curl -fsS "http://127.0.0.1:$http_port/v1/health" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$server" 2>/dev/null; then
    echo "e2e: the server exited early:" >&2; cat "$log" >&2; exit 1
  fi
  sleep 1
done
curl -fsS "http://127.0.0.1:$http_port/v1/health" >/dev/null || { echo "e2e: no health after 240 s" >&2; tail -50 "$log" >&2; exit 1; }

cd "$root/e2e"
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund >&2; else npm install --no-audit --no-fund >&2; fi
status=0
HERD_BASE_URL="http://127.0.0.1:$http_port" HERD_MODEL=stories260K npm test || status=$?
if [ "$status" -ne 0 ]; then echo "e2e: server log tail:" >&2; tail -40 "$log" >&2; fi
exit "$status"
