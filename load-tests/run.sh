#!/usr/bin/env bash
# make bench: builds kms-scim, starts it on 127.0.0.1 with a fresh embedded PostgreSQL in a temporary
# directory (or on SCIM_DATABASE_URL when set), measures the read and write ceilings on this machine
# while the server is idle, runs the Gatling simulations one after another, each on an organisation of
# its own, prints the summary, and stops everything it started.
#
#   BENCH_SCALE=default|large|smoke   sizes (default: about ten minutes on two cores)
#   BENCH_SIMULATIONS="LookupStorm SteadyChurn"   a subset, in this order
#   any BENCH_* size override read by load-tests/src/test/java/.../Scale.java (BENCH_SYNC_USERS=...)
#   BENCH_INSTANCES=3   several instances on one PostgreSQL behind HAProxy (docs/scaling.md): LookupStorm
#                       and PingOneInitialSync first run against instance 1 alone, then the other instances
#                       and HAProxy start and every simulation runs through HAProxy, with a probe measuring
#                       the propagation lag between instances beside it
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LT="$ROOT/load-tests"
MVN="${MVN:-mvn}"
MVN_FLAGS=(-B -ntp -q)
JAVA="${JAVA:-java}"
export BENCH_SCALE="${BENCH_SCALE:-default}"
SIMULATIONS="${BENCH_SIMULATIONS:-PingOneInitialSync LookupStorm SteadyChurn EntraGroupStorm BulkSync FilterScans}"
RESULTS="$LT/target/bench"
INSTANCES="${BENCH_INSTANCES:-1}"
if ! [[ "$INSTANCES" =~ ^[1-9][0-9]?$ ]]; then
  echo "BENCH_INSTANCES must be a number from 1 to 99, not '$INSTANCES'" >&2
  exit 2
fi
MANIFEST="$RESULTS/manifest.tsv"
STARTED_AT=$(date +%s)

RUN_DIR=""
SERVER_PID=""
BARE_PID=""
USED_PORTS=" "
CLUSTER_DIR=""
PROBE_PID=""
SINGLE="-1instance"

say() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# Stops whatever this script started, in reverse order, and removes the temporary directory.
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -n "$PROBE_PID" ]] && kill -0 "$PROBE_PID" 2>/dev/null; then
    kill -TERM "$PROBE_PID" 2>/dev/null || true
    wait "$PROBE_PID" 2>/dev/null || true
  fi
  if [[ -n "$CLUSTER_DIR" ]]; then
    collect_server_log
    say "stopping HAProxy, the instances and their database"
    cluster_stop
  fi
  if [[ -n "$BARE_PID" ]] && kill -0 "$BARE_PID" 2>/dev/null; then
    kill -TERM "$BARE_PID" 2>/dev/null || true
    wait "$BARE_PID" 2>/dev/null || true
  fi
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    say "stopping the server (pid $SERVER_PID)"
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 120); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$SERVER_PID" 2>/dev/null; then
      say "the server did not stop within 60 s; killing it"
      kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  # The server stops its embedded PostgreSQL when it exits; after a hard kill it is stopped here.
  if [[ -n "$RUN_DIR" && -f "$RUN_DIR/data/postgres/postmaster.pid" ]]; then
    local pg
    pg=$(head -1 "$RUN_DIR/data/postgres/postmaster.pid" 2>/dev/null || true)
    if [[ "$pg" =~ ^[0-9]+$ ]] && kill -0 "$pg" 2>/dev/null; then
      say "stopping the embedded PostgreSQL (pid $pg)"
      kill -INT "$pg" 2>/dev/null || true
      for _ in $(seq 1 60); do kill -0 "$pg" 2>/dev/null || break; sleep 0.5; done
      kill -0 "$pg" 2>/dev/null && kill -KILL "$pg" 2>/dev/null || true
    fi
  fi
  if [[ -n "$RUN_DIR" && -d "$RUN_DIR" ]]; then
    [[ -z "$CLUSTER_DIR" && -f "$RUN_DIR/server.log" ]] && cp "$RUN_DIR/server.log" "$RESULTS/server.log" 2>/dev/null || true
    rm -rf "$RUN_DIR"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_taken() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# With several instances: their logs, each line marked with its instance, as the one server log.
collect_server_log() {
  local f
  [[ -n "$CLUSTER_DIR" && -d "$CLUSTER_DIR/logs" ]] || return 0
  : >"$RESULTS/server.log"
  for f in "$CLUSTER_DIR"/logs/instance-*.log; do
    [[ -f "$f" ]] && sed "s/^/[$(basename "$f" .log)] /" "$f" >>"$RESULTS/server.log"
  done
  [[ -f "$CLUSTER_DIR/logs/haproxy.log" ]] && cp "$CLUSTER_DIR/logs/haproxy.log" "$RESULTS/haproxy.log"
  return 0
}

# pick_port VAR: a port nobody listens on, and not handed out before by this script.
pick_port() {
  local p
  for _ in $(seq 1 500); do
    p=$((20000 + RANDOM % 40000))
    if [[ "$USED_PORTS" != *" $p "* ]] && ! port_taken "$p"; then
      USED_PORTS+="$p "
      printf -v "$1" '%s' "$p"
      return 0
    fi
  done
  echo "No free port found" >&2
  return 1
}

tools() { "$JAVA" -cp "$LT/tools/target/classes:$LT/tools/target/lib/*" "$@"; }

# run_simulation NAME CLASS [VAR=value ...]: one Gatling run; appends its line to the manifest.
run_simulation() {
  local name=$1 class=$2
  shift 2
  local log="$RESULTS/$name.log" mark="$RUN_DIR/mark-$name" rc=0 t0 report lower
  touch "$mark"
  t0=$(date +%s)
  say "$name: running (log: ${log#"$ROOT"/})"
  (cd "$LT" && env "$@" BENCH_RESULTS_DIR="$RESULTS" \
      "$MVN" "${MVN_FLAGS[@]}" gatling:test -Dgatling.simulationClass="io.hanzo.kms.scim.load.$class") \
      >"$log" 2>&1 || rc=$?
  lower=$(printf '%s' "$class" | tr '[:upper:]' '[:lower:]')
  report=$(find "$LT/target/gatling" -mindepth 1 -maxdepth 1 -type d -name "$lower-*" -newer "$mark" 2>/dev/null | sort | tail -1)
  printf '%s\t%s\t%s\t%s\n' "$name" "$report" "$rc" "$(($(date +%s) - t0))" >>"$MANIFEST"
  if [[ $rc -eq 0 ]]; then
    say "$name: passed in $(($(date +%s) - t0)) s"
  else
    FAILED+=" $name"
    say "$name: FAILED (exit $rc) after $(($(date +%s) - t0)) s; last lines of its log:"
    grep -E "^> |: (false|true) |Error|Exception|crashed|Run crashed" "$log" | grep -vE "^> (OK|KO|min|max|mean|std|resp|request count)" | tail -25 | sed 's/^/    /' || true
  fi
}

FAILED=""
mkdir -p "$RESULTS"
rm -f "$RESULTS"/*.phases.json "$RESULTS"/*.log "$RESULTS/raw-inserts.json" "$RESULTS/lookup-hit-response.json" "$MANIFEST"
rm -f "$RESULTS"/*.lag.tsv
rm -f "$RESULTS/index-heap.json"
if ((INSTANCES > 1)); then
  # shellcheck source=../deploy/cluster/cluster-lib.sh
  source "$ROOT/deploy/cluster/cluster-lib.sh"
  if [[ -z "$(cluster_haproxy_bin)" ]]; then
    echo "BENCH_INSTANCES=$INSTANCES needs HAProxy: apt-get install haproxy" >&2
    exit 1
  fi
fi
: >"$MANIFEST"

say "scale: $BENCH_SCALE; simulations: $SIMULATIONS$( ((INSTANCES > 1)) && echo "; $INSTANCES instances behind HAProxy")"
say "building the server (make build)"
make -C "$ROOT" --no-print-directory -s build MVN="$MVN" >"$RESULTS/build.log" 2>&1 || { cat "$RESULTS/build.log"; exit 1; }
say "building the load tests and their tools"
rm -rf "$LT/tools/target/lib"
(cd "$LT/tools" && "$MVN" "${MVN_FLAGS[@]}" package dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory=target/lib) >>"$RESULTS/build.log" 2>&1 || { cat "$RESULTS/build.log"; exit 1; }
(cd "$LT" && "$MVN" "${MVN_FLAGS[@]}" test-compile) >>"$RESULTS/build.log" 2>&1 || { cat "$RESULTS/build.log"; exit 1; }

RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/kms-scim-bench.XXXXXX")
# The server runs from a copy of its build, so that a rebuild of the work tree during the bench
# cannot pull classes from under it.
mkdir -p "$RUN_DIR/server"
cp -r "$ROOT/target/classes" "$RUN_DIR/server/classes"
cp -r "$ROOT/target/lib" "$RUN_DIR/server/lib"
printf '%s\n' "-cp" "$RUN_DIR/server/classes:$RUN_DIR/server/lib/*" "io.hanzo.kms.scim.Main" >"$RUN_DIR/server.args"
# BENCH_SERVER_JAVA_OPTS: JVM options for the server alone, such as a flight recording to profile it
# (docs/benchmarks.md); one option per word.
if [[ -n "${BENCH_SERVER_JAVA_OPTS:-}" ]]; then
  { printf '%s\n' ${BENCH_SERVER_JAVA_OPTS}; cat "$RUN_DIR/server.args"; } >"$RUN_DIR/server.args.new"
  mv "$RUN_DIR/server.args.new" "$RUN_DIR/server.args"
fi

pick_port HTTP_PORT
ADMIN_TOKEN="bench_admin_$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
SERVER_ENV=(SCIM_HTTP_HOST=127.0.0.1 SCIM_HTTP_PORT="$HTTP_PORT" SCIM_PUBLIC_URL="http://127.0.0.1:$HTTP_PORT"
  SCIM_DATA_DIR="$RUN_DIR/data" SCIM_ADMIN_TOKEN="$ADMIN_TOKEN"
  # One log line per request would weigh on the measurement; no metrics port that could be taken.
  SCIM_LOG_REQUESTS=false SCIM_MANAGEMENT_PORT=0
  # No relay here: invitations are delivered to the log, so that minting, sending and marking them
  # stay in what is measured (without a relay or this, they would wait in the outbox unsent).
  SCIM_INVITATIONS_LOG_LINKS=true)
if [[ -n "${SCIM_DATABASE_URL:-}" ]]; then
  PG_URI="$SCIM_DATABASE_URL"
  say "database: SCIM_DATABASE_URL (the simulations use organisations of their own there)"
else
  pick_port PG_PORT
  SERVER_ENV+=(SCIM_DATABASE_EMBEDDED_PORT="$PG_PORT")
  # The embedded database's password is made at the server's first start (see below).
  PG_URI=""
  say "database: fresh embedded PostgreSQL on port $PG_PORT in $RUN_DIR/$( ((INSTANCES > 1)) && echo cluster/postgres || echo data)"
fi

if ((INSTANCES == 1)); then
  say "starting the server on 127.0.0.1:$HTTP_PORT"
  (cd "$ROOT" && exec env "${SERVER_ENV[@]}" "$JAVA" @"$RUN_DIR/server.args") >"$RUN_DIR/server.log" 2>&1 &
  SERVER_PID=$!
else
  # The database on its own, so that any instance can stop; instance 1 first, alone.
  CLUSTER_ROOT="$ROOT"
  CLUSTER_DIR="$RUN_DIR/cluster"
  CLUSTER_CP="$RUN_DIR/server/classes:$RUN_DIR/server/lib/*"
  pick_port PROXY_PORT
  pick_port STATS_PORT
  if [[ -n "${SCIM_DATABASE_URL:-}" ]]; then
    DB_URL="$SCIM_DATABASE_URL"
  else
    cluster_start_database "$PG_PORT"
    DB_URL="$CLUSTER_DB_URL"
    PG_URI="$CLUSTER_DB_URL"
  fi
  # As for one instance: no request log lines during the measurements.
  export SCIM_LOG_REQUESTS=false SCIM_INVITATIONS_LOG_LINKS=true
  say "starting instance 1 on 127.0.0.1:$HTTP_PORT"
  cluster_start_instance 1 "$HTTP_PORT" "$DB_URL" "$ADMIN_TOKEN" "http://127.0.0.1:$PROXY_PORT"
  SERVER_PID=$(cluster_pid instance-1)
  ln -sf "$CLUSTER_DIR/logs/instance-1.log" "$RUN_DIR/server.log"
fi
if ! tools io.hanzo.kms.scim.loadtools.Admin wait --url "http://127.0.0.1:$HTTP_PORT/health/ready" \
    --seconds 180 --pid "$SERVER_PID"; then
  echo "The server did not become ready; its log:" >&2
  tail -50 "$RUN_DIR/server.log" >&2
  exit 1
fi
if [[ -z "$PG_URI" ]]; then
  PG_URI="postgresql://postgres:$(cat "$RUN_DIR/data/postgres.password")@localhost:$PG_PORT/postgres"
fi
PG_PID=""
if [[ -f "$RUN_DIR/data/postgres/postmaster.pid" ]]; then
  PG_PID=$(head -1 "$RUN_DIR/data/postgres/postmaster.pid")
elif [[ -n "$CLUSTER_DIR" && -f "$CLUSTER_DIR/postgres/postmaster.pid" ]]; then
  PG_PID=$(head -1 "$CLUSTER_DIR/postgres/postmaster.pid")
fi
say "server ready (pid $SERVER_PID${PG_PID:+, PostgreSQL pid $PG_PID})"

SIM_ENV=(BENCH_BASE_URL="http://127.0.0.1:$HTTP_PORT" BENCH_SERVER_PID="$SERVER_PID" BENCH_POSTGRES_PID="$PG_PID")

# new_token NAME: a new organisation with SCIM on; prints its SCIM token.
new_token() {
  tools io.hanzo.kms.scim.loadtools.Admin org --url "http://127.0.0.1:$HTTP_PORT" --admin-token "$ADMIN_TOKEN" \
    --name "bench $1 $(date +%Y%m%dT%H%M%S)"
}

# The ceilings first, while the server and its database are idle.
case "$BENCH_SCALE" in
  smoke) RAW_CONCURRENCY=8 RAW_ROWS=600 ;;
  large) RAW_CONCURRENCY=16 RAW_ROWS=100000 ;;
  *) RAW_CONCURRENCY=16 RAW_ROWS=20000 ;;
esac
RAW_CONCURRENCY="${BENCH_SYNC_CONCURRENCY:-$RAW_CONCURRENCY}"
RAW_ROWS="${BENCH_SYNC_USERS:-$RAW_ROWS}"
if [[ " $SIMULATIONS " == *" PingOneInitialSync "* ]]; then
  say "write ceiling: PostgreSQL alone, $RAW_ROWS user rows, one per transaction, $RAW_CONCURRENCY connections (as PingOneInitialSync's creations)"
  tools io.hanzo.kms.scim.loadtools.RawInsertLoader --pg "$PG_URI" --concurrency "$RAW_CONCURRENCY" --rows "$RAW_ROWS" \
    --max-seconds 120 --out "$RESULTS/raw-inserts.json" >"$RESULTS/raw-inserts.log" 2>&1 || FAILED+=" raw-inserts"
  sed 's/^/    /' "$RESULTS/raw-inserts.log"
fi
# The read ceiling runs with LookupStorm, or on its own when named.
if [[ " $SIMULATIONS " == *" LookupStorm "* || " $SIMULATIONS " == *" BareLookupCeiling "* ]]; then
  pick_port BARE_PORT
  tools io.hanzo.kms.scim.loadtools.Admin sample-lookup --url "http://127.0.0.1:$HTTP_PORT" --admin-token "$ADMIN_TOKEN" \
    --out "$RESULTS/lookup-hit-response.json" | sed 's/^/    /'
  say "read ceiling: bare Vert.x server on 127.0.0.1:$BARE_PORT answering that lookup answer to every request"
  (exec "$JAVA" -cp "$LT/tools/target/classes:$LT/tools/target/lib/*" io.hanzo.kms.scim.loadtools.BareServer \
    --port "$BARE_PORT" --body "$RESULTS/lookup-hit-response.json") >"$RESULTS/bare-server.log" 2>&1 &
  BARE_PID=$!
  if tools io.hanzo.kms.scim.loadtools.Admin wait --url "http://127.0.0.1:$BARE_PORT/ready" --seconds 60 \
      --pid "$BARE_PID"; then
    run_simulation BareLookupCeiling BareLookupCeiling BENCH_BASE_URL="http://127.0.0.1:$BARE_PORT" \
      BENCH_TOKEN=unused BENCH_SERVER_PID="$BARE_PID" BENCH_POSTGRES_PID="$PG_PID"
  else
    FAILED+=" BareLookupCeiling"
  fi
  kill -TERM "$BARE_PID" 2>/dev/null || true
  wait "$BARE_PID" 2>/dev/null || true
  BARE_PID=""
fi

# start_probe NAME: the propagation probe beside simulation NAME, in an organisation of its own.
start_probe() {
  local token urls="" p
  token=$(new_token "$1 probe")
  for p in "${INSTANCE_PORTS[@]}"; do urls+="${urls:+,}http://127.0.0.1:$p"; done
  (exec "$JAVA" -cp "$LT/tools/target/classes:$LT/tools/target/lib/*" io.hanzo.kms.scim.loadtools.LagProbe \
    --instances "$urls" --token "$token" --out "$RESULTS/$1.lag.tsv") >"$RESULTS/$1.lag.log" 2>&1 &
  PROBE_PID=$!
}

# stop_probe NAME: stops it; a probe that failed, a user never found by filter on another instance, or
# one not found there by id at once, fails the bench.
stop_probe() {
  kill -TERM "$PROBE_PID" 2>/dev/null || true
  wait "$PROBE_PID" 2>/dev/null || true
  PROBE_PID=""
  if grep -q "Exception" "$RESULTS/$1.lag.log" 2>/dev/null; then
    FAILED+=" $1-probe"
    say "$1: the propagation probe failed:"
    grep -A3 "Exception" "$RESULTS/$1.lag.log" | head -8 | sed 's/^/    /'
  fi
  local lost missed
  lost=$(awk '$2 < 0' "$RESULTS/$1.lag.tsv" 2>/dev/null | wc -l)
  if ((lost > 0)); then
    FAILED+=" $1-propagation"
    say "$1: $lost user(s) created on one instance were not found on another within 10 s"
  fi
  missed=$(awk '$3 != 200' "$RESULTS/$1.lag.tsv" 2>/dev/null | wc -l)
  if ((missed > 0)); then
    FAILED+=" $1-read-by-id"
    say "$1: $missed user(s) created on one instance were not found by id on another right after the 201"
  fi
}

if ((INSTANCES > 1)); then
  # One instance alone first, for the rates to compare with.
  for sim in LookupStorm PingOneInitialSync; do
    if [[ " $SIMULATIONS " == *" $sim "* ]]; then
      token=$(new_token "$sim$SINGLE")
      run_simulation "$sim$SINGLE" "$sim" "${SIM_ENV[@]}" BENCH_TOKEN="$token" BENCH_RUN_NAME="$sim$SINGLE"
    fi
  done
  INSTANCE_PORTS=("$HTTP_PORT")
  for i in $(seq 2 "$INSTANCES"); do
    pick_port INSTANCE_PORT
    INSTANCE_PORTS+=("$INSTANCE_PORT")
    say "starting instance $i on 127.0.0.1:$INSTANCE_PORT"
    cluster_start_instance "$i" "$INSTANCE_PORT" "$DB_URL" "$ADMIN_TOKEN" "http://127.0.0.1:$PROXY_PORT"
  done
  for i in $(seq 2 "$INSTANCES"); do
    cluster_wait_ready "instance-$i" "${INSTANCE_PORTS[$((i - 1))]}" 180
  done
  say "starting HAProxy on 127.0.0.1:$PROXY_PORT (statistics on 127.0.0.1:$STATS_PORT)"
  cluster_start_haproxy "$PROXY_PORT" "$STATS_PORT" "${INSTANCE_PORTS[@]}"
  PIDS=""
  for i in $(seq 1 "$INSTANCES"); do PIDS+="${PIDS:+ }$(cluster_pid "instance-$i")"; done
  SIM_ENV=(BENCH_BASE_URL="http://127.0.0.1:$PROXY_PORT" BENCH_SERVER_PIDS="$PIDS"
    BENCH_PROXY_PID="$(cluster_pid haproxy)" BENCH_POSTGRES_PID="$PG_PID")
fi

for sim in $SIMULATIONS; do
  case "$sim" in
    PingOneInitialSync | LookupStorm | SteadyChurn | EntraGroupStorm | BulkSync | FilterScans)
      token=$(new_token "$sim")
      ((INSTANCES > 1)) && start_probe "$sim"
      run_simulation "$sim" "$sim" "${SIM_ENV[@]}" BENCH_TOKEN="$token"
      ((INSTANCES > 1)) && stop_probe "$sim"
      ;;
    BareLookupCeiling)
      ;; # measured above, before the server's own simulations
    *)
      echo "Unknown simulation '$sim'" >&2
      FAILED+=" $sim"
      ;;
  esac
done

if ((INSTANCES > 1)); then
  for i in $(seq 1 "$INSTANCES"); do
    if ! cluster_alive "instance-$i"; then
      say "instance $i is no longer running; see ${RESULTS#"$ROOT"/}/server.log"
      FAILED+=" instance-$i"
    fi
  done
  cluster_alive haproxy || { say "HAProxy is no longer running"; FAILED+=" haproxy"; }
  collect_server_log
elif ! kill -0 "$SERVER_PID" 2>/dev/null; then
  say "the server is no longer running; see ${RESULTS#"$ROOT"/}/server.log"
  FAILED+=" server"
fi
((INSTANCES > 1)) || cp "$RUN_DIR/server.log" "$RESULTS/server.log"

# The index's heap per user and start-up time, on a server and database of their own
# (load-tests/index-bench.sh; BENCH_INDEX_USERS=0 leaves it out, make index-bench measures 1,000,000).
case "$BENCH_SCALE" in
  smoke) INDEX_USERS=10000 ;;
  *) INDEX_USERS=100000 ;;
esac
INDEX_USERS="${BENCH_INDEX_USERS:-$INDEX_USERS}"
if [[ "$INDEX_USERS" != 0 ]]; then
  say "index: $INDEX_USERS users and their memberships filled by SQL, then a server started on them"
  BENCH_INDEX_SKIP_BUILD=1 BENCH_INDEX_USERS="$INDEX_USERS" BENCH_INDEX_OUT="$RESULTS/index-heap.json" \
    "$LT/index-bench.sh" >"$RESULTS/index-bench.log" 2>&1 || FAILED+=" index-bench"
  tail -1 "$RESULTS/index-bench.log" | sed 's/^/    /'
fi

COMMIT=$(git -C "$ROOT" log -1 --format='%h %cs' 2>/dev/null || echo "unknown")
if [[ -n "$(git -C "$ROOT" status --porcelain -- src pom.xml 2>/dev/null)" ]]; then
  COMMIT+=" (with uncommitted changes in src/ or pom.xml)"
fi
tools io.hanzo.kms.scim.loadtools.BenchReport --manifest "$MANIFEST" --results "$RESULTS" --root "$ROOT" \
  --server-log "$RESULTS/server.log" --markdown "$RESULTS/summary.md" \
  --label "server: commit $COMMIT; scale: $BENCH_SCALE$( ((INSTANCES > 1)) && echo "; $INSTANCES instances behind HAProxy"); $(date -u '+%Y-%m-%d %H:%M UTC')"
echo
echo "Gatling HTML reports: ${LT#"$ROOT"/}/target/gatling/<simulation>-<time>/index.html; this summary: ${RESULTS#"$ROOT"/}/summary.md"
say "finished in $(($(date +%s) - STARTED_AT)) s"
if [[ -n "$FAILED" ]]; then
  say "FAILED:$FAILED"
  exit 1
fi
