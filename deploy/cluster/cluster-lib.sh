# Functions that start and stop kms-scim instances, their shared embedded PostgreSQL and HAProxy on
# this machine. Sourced by deploy/cluster/cluster.sh (make cluster) and load-tests/run.sh
# (BENCH_INSTANCES=3 make bench); not meant to be run on its own.
#
# The caller sets:
#   CLUSTER_ROOT   the repository (the instances run from it, so they read conf/kms-scim.properties)
#   CLUSTER_DIR    where state goes: pids/, logs/, the rendered haproxy.cfg, data of each instance
#   CLUSTER_CP     the server's class path (target/classes and target/lib/* of `make build`)
#   JAVA           the java command
# Every process started is recorded in $CLUSTER_DIR/pids/<name>.pid; cluster_stop stops them all.

cluster_say() { printf '[cluster %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# cluster_http_status PORT PATH: the status code of a GET on 127.0.0.1, or 000 when nothing answers.
# Plain bash, so that no curl is needed.
cluster_http_status() {
  local line
  line=$( (exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3 &&
    IFS= read -r -t 5 l <&3 && printf '%s' "$l") 2>/dev/null || true)
  line="${line#HTTP/1.? }"
  if [[ "${line:0:3}" =~ ^[0-9]{3}$ ]]; then printf '%s' "${line:0:3}"; else printf '000'; fi
}

cluster_port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

cluster_pid() { [[ -f "$CLUSTER_DIR/pids/$1.pid" ]] && cat "$CLUSTER_DIR/pids/$1.pid"; }

cluster_alive() {
  local pid
  pid=$(cluster_pid "$1") && [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null
}

# cluster_running: true when some process recorded under CLUSTER_DIR still runs.
cluster_running() {
  local f
  for f in "$CLUSTER_DIR"/pids/*.pid; do
    [[ -f "$f" ]] && kill -0 "$(cat "$f")" 2>/dev/null && return 0
  done
  return 1
}

# cluster_wait_ready NAME PORT SECONDS: waits for GET /health/ready to answer 200 while NAME runs.
cluster_wait_ready() {
  local name=$1 port=$2 deadline=$((SECONDS + $3))
  while ((SECONDS < deadline)); do
    [[ "$(cluster_http_status "$port" /health/ready)" == 200 ]] && return 0
    if ! cluster_alive "$name"; then
      cluster_say "$name stopped before it was ready; the end of $CLUSTER_DIR/logs/$name.log:"
      tail -30 "$CLUSTER_DIR/logs/$name.log" >&2
      return 1
    fi
    sleep 0.25
  done
  cluster_say "$name was not ready within $3 s; see $CLUSTER_DIR/logs/$name.log"
  return 1
}

# cluster_start_database [PORT]: the embedded PostgreSQL alone, data in $CLUSTER_DIR/postgres; sets
# CLUSTER_DB_URL (for SCIM_DATABASE_URL) and CLUSTER_PG_PID (the postmaster).
cluster_start_database() {
  local port=${1:-0} url_file="$CLUSTER_DIR/database.url" deadline=$((SECONDS + 180))
  mkdir -p "$CLUSTER_DIR/pids" "$CLUSTER_DIR/logs"
  rm -f "$url_file"
  (cd "$CLUSTER_ROOT" && exec "$JAVA" -cp "$CLUSTER_CP" io.hanzo.kms.scim.cluster.LocalDatabase \
    --dir "$CLUSTER_DIR/postgres" --port "$port" --url-file "$url_file") >"$CLUSTER_DIR/logs/database.log" 2>&1 &
  echo $! >"$CLUSTER_DIR/pids/database.pid"
  while [[ ! -s "$url_file" ]]; do
    if ! cluster_alive database || ((SECONDS >= deadline)); then
      cluster_say "PostgreSQL did not start; the end of $CLUSTER_DIR/logs/database.log:"
      tail -30 "$CLUSTER_DIR/logs/database.log" >&2
      return 1
    fi
    sleep 0.25
  done
  CLUSTER_DB_URL=$(head -1 "$url_file")
  CLUSTER_PG_PID=$(head -1 "$CLUSTER_DIR/postgres/postmaster.pid" 2>/dev/null || true)
}

# cluster_start_instance I PORT DB_URL ADMIN_TOKEN PUBLIC_URL: instance I on 127.0.0.1:PORT, its own
# data directory (admin token hash, nothing else: the database is shared). Returns once it started;
# wait for it with cluster_wait_ready instance-I PORT.
cluster_start_instance() {
  local i=$1 port=$2 db=$3 admin=$4 public=$5
  # Instances on one machine cannot share a metrics port: none by default, or CLUSTER_METRICS_FROM,
  # CLUSTER_METRICS_FROM+1, ... for instances 1, 2, ...
  local metrics=0
  [[ -n "${CLUSTER_METRICS_FROM:-}" ]] && metrics=$((CLUSTER_METRICS_FROM + i - 1))
  mkdir -p "$CLUSTER_DIR/pids" "$CLUSTER_DIR/logs" "$CLUSTER_DIR/instance-$i"
  (cd "$CLUSTER_ROOT" && exec env SCIM_HTTP_HOST=127.0.0.1 SCIM_HTTP_PORT="$port" SCIM_PUBLIC_URL="$public" \
    SCIM_DATA_DIR="$CLUSTER_DIR/instance-$i" SCIM_DATABASE_URL="$db" SCIM_ADMIN_TOKEN="$admin" \
    SCIM_MANAGEMENT_PORT="$metrics" \
    "$JAVA" -cp "$CLUSTER_CP" io.hanzo.kms.scim.Main) >"$CLUSTER_DIR/logs/instance-$i.log" 2>&1 &
  echo $! >"$CLUSTER_DIR/pids/instance-$i.pid"
}

cluster_haproxy_bin() {
  command -v haproxy 2>/dev/null || { [[ -x /usr/sbin/haproxy ]] && echo /usr/sbin/haproxy; }
}

# cluster_start_haproxy LISTEN_PORT STATS_PORT INSTANCE_PORT...: renders the repository's template
# for these ports, checks it, and starts HAProxy in the foreground mode (-db) in the background.
cluster_start_haproxy() {
  local listen=$1 stats=$2 bin p deadline=$((SECONDS + 30))
  shift 2
  bin=$(cluster_haproxy_bin) || { cluster_say "HAProxy is not installed (apt-get install haproxy)"; return 1; }
  local servers=()
  for p in "$@"; do servers+=(--server "127.0.0.1:$p"); done
  mkdir -p "$CLUSTER_DIR/pids" "$CLUSTER_DIR/logs"
  "$JAVA" -cp "$CLUSTER_CP" io.hanzo.kms.scim.cluster.HaproxyConfig --template "$CLUSTER_ROOT/deploy/haproxy/haproxy.cfg.tmpl" \
    --out "$CLUSTER_DIR/haproxy.cfg" --listen "127.0.0.1:$listen" --stats "127.0.0.1:$stats" "${servers[@]}" || return 1
  "$bin" -c -q -f "$CLUSTER_DIR/haproxy.cfg" || { cluster_say "HAProxy refused $CLUSTER_DIR/haproxy.cfg"; return 1; }
  (exec "$bin" -db -f "$CLUSTER_DIR/haproxy.cfg") >"$CLUSTER_DIR/logs/haproxy.log" 2>&1 &
  echo $! >"$CLUSTER_DIR/pids/haproxy.pid"
  until cluster_port_taken "$listen"; do
    if ! cluster_alive haproxy || ((SECONDS >= deadline)); then
      cluster_say "HAProxy did not start; $CLUSTER_DIR/logs/haproxy.log:"
      cat "$CLUSTER_DIR/logs/haproxy.log" >&2
      return 1
    fi
    sleep 0.1
  done
}

# cluster_stop_one NAME SECONDS: SIGTERM, then SIGKILL after SECONDS.
cluster_stop_one() {
  local name=$1 pid
  pid=$(cluster_pid "$name") || return 0
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 $(($2 * 4))); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    if kill -0 "$pid" 2>/dev/null; then
      cluster_say "$name (pid $pid) did not stop within $2 s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$CLUSTER_DIR/pids/$name.pid"
}

# cluster_stop: HAProxy first (no new requests), then the instances, then the database; a
# PostgreSQL left running by a killed database process is stopped through its postmaster.pid.
cluster_stop() {
  local f pg stoppers=()
  [[ -d "$CLUSTER_DIR/pids" ]] || return 0
  cluster_stop_one haproxy 10
  # The instances stop side by side; only these helpers are waited for, not the processes this
  # shell started.
  for f in "$CLUSTER_DIR"/pids/instance-*.pid; do
    [[ -f "$f" ]] || continue
    cluster_stop_one "$(basename "$f" .pid)" 60 &
    stoppers+=($!)
  done
  ((${#stoppers[@]} == 0)) || wait "${stoppers[@]}" 2>/dev/null || true
  cluster_stop_one database 60
  if [[ -f "$CLUSTER_DIR/postgres/postmaster.pid" ]]; then
    pg=$(head -1 "$CLUSTER_DIR/postgres/postmaster.pid" 2>/dev/null || true)
    if [[ "$pg" =~ ^[0-9]+$ ]] && kill -0 "$pg" 2>/dev/null; then
      cluster_say "stopping the PostgreSQL left running (pid $pg)"
      kill -INT "$pg" 2>/dev/null || true
      for _ in $(seq 1 120); do kill -0 "$pg" 2>/dev/null || break; sleep 0.25; done
    fi
  fi
}
