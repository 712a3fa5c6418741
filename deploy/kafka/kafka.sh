#!/usr/bin/env bash
# Local single-node Apache Kafka (KRaft) from Maven Central jars; no Docker.
#
#   kafka.sh fetch   resolve the jars into the cache (idempotent)
#   kafka.sh start   fetch, format storage once, start, wait for a metadata answer
#   kafka.sh stop    SIGTERM the broker and wait for it to exit
#   kafka.sh status  exit 0 if the broker answers a metadata request
#
# Environment (all optional):
#   KAFKA_VERSION  default 4.0.2       KAFKA_PORT      default 9092
#   KAFKA_CACHE    default ~/.cache/decline-notifier/kafka
#   KAFKA_DATA     default <repo>/.run/kafka-$KAFKA_PORT
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
KAFKA_VERSION="${KAFKA_VERSION:-4.0.2}"
LOG4J_VERSION="${LOG4J_VERSION:-2.24.3}"
KAFKA_PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$((KAFKA_PORT + 1))}"
KAFKA_CACHE="${KAFKA_CACHE:-$HOME/.cache/decline-notifier/kafka}"
KAFKA_DATA="${KAFKA_DATA:-$repo/.run/kafka-$KAFKA_PORT}"
libs="$KAFKA_CACHE/$KAFKA_VERSION/libs"
pidfile="$KAFKA_DATA/kafka.pid"
logfile="$KAFKA_DATA/kafka.log"

log() { printf 'kafka.sh: %s\n' "$*" >&2; }

fetch() {
  if [ -f "$libs/.complete" ]; then return 0; fi
  log "resolving org.apache.kafka:kafka_2.13:$KAFKA_VERSION from Maven Central into $libs"
  local work="$KAFKA_CACHE/$KAFKA_VERSION/pom"
  mkdir -p "$work" "$libs"
  sed -e "s/@KAFKA_VERSION@/$KAFKA_VERSION/" -e "s/@LOG4J_VERSION@/$LOG4J_VERSION/" \
    "$here/pom.xml.in" > "$work/pom.xml"
  mvn -q -B -f "$work/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$libs" >&2
  touch "$libs/.complete"
}

answers() {
  # A real metadata request, not just an open port.
  timeout 20 java -cp "$libs/*" org.apache.kafka.tools.ClusterTool cluster-id \
    --bootstrap-server "127.0.0.1:$KAFKA_PORT" >/dev/null 2>&1
}

running_pid() {
  [ -f "$pidfile" ] || return 1
  local pid; pid="$(cat "$pidfile")"
  kill -0 "$pid" 2>/dev/null && echo "$pid"
}

start() {
  fetch
  if running_pid >/dev/null; then
    log "already running (pid $(running_pid)) on 127.0.0.1:$KAFKA_PORT"; return 0
  fi
  mkdir -p "$KAFKA_DATA"
  local props="$KAFKA_DATA/server.properties"
  sed -e "s#@PORT@#$KAFKA_PORT#g" -e "s#@CONTROLLER_PORT@#$CONTROLLER_PORT#g" \
      -e "s#@LOG_DIR@#$KAFKA_DATA/logs#g" "$here/server.properties.in" > "$props"
  if [ ! -f "$KAFKA_DATA/logs/meta.properties" ]; then
    # 22-character base64url cluster id, generated once per data dir.
    local cid; cid="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | cut -c1-22)"
    java -cp "$libs/*" kafka.tools.StorageTool format --standalone -t "$cid" -c "$props" >&2
  fi
  log "starting broker on 127.0.0.1:$KAFKA_PORT (log: $logfile)"
  nohup java -Xms256m -Xmx768m -Dlog4j2.configurationFile="$here/log4j2.properties" \
    -Dkafka.logs.dir="$KAFKA_DATA" -cp "$libs/*" kafka.Kafka "$props" \
    >"$logfile" 2>&1 < /dev/null &
  echo $! > "$pidfile"
  local deadline=$((SECONDS + ${KAFKA_START_TIMEOUT:-90}))
  until answers; do
    if ! running_pid >/dev/null || [ $SECONDS -ge $deadline ]; then
      log "broker did not become ready; last log lines:"; tail -n 60 "$logfile" >&2
      stop || true; exit 1
    fi
    sleep 1
  done
  log "ready on 127.0.0.1:$KAFKA_PORT"
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then log "not running"; rm -f "$pidfile"; return 0; fi
  kill -TERM "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then log "no exit after 30 s, sending SIGKILL"; kill -KILL "$pid"; fi
  rm -f "$pidfile"; log "stopped"
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  status) fetch; answers ;;
  libs) fetch; echo "$libs" ;;
  *) echo "usage: $0 fetch|start|stop|status|libs" >&2; exit 2 ;;
esac
