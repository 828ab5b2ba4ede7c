#!/usr/bin/env bash
# make index-bench: what the in-memory index costs. Starts kms-scim on a fresh embedded PostgreSQL,
# counts its live heap after a full GC with no users, fills one organisation by SQL (IndexFill: users
# shaped as the load tests', memberships per user), restarts the server on that database, and reports
# how long the index took to load and the live heap per user after a full GC (jcmd GC.class_histogram,
# which collects before counting). Writes a line to stdout and JSON to --out.
#
#   BENCH_INDEX_USERS=100000         users in the organisation (make index-bench: 1,000,000)
#   BENCH_INDEX_PER_USER=10          direct memberships per user (groups of about 1,000 members)
#   BENCH_INDEX_SERVER_DIR=dir       run the server from dir/classes and dir/lib instead of this build
#                                    (to measure another commit's build the same way)
#   BENCH_INDEX_OUT=file.json        where the figures go (default load-tests/target/bench/index-heap.json)
#   BENCH_INDEX_SKIP_BUILD=1         the server and tools are built already (as make bench does)
#   BENCH_INDEX_STARTS=1             start-ups measured on the filled database; the figures reported
#                                    are the median start's (start-up varies a lot on a shared machine)
#   BENCH_INDEX_COMPARE_DIR=dir      before each measured start, one start of the build in dir/classes
#                                    and dir/lib on the same database (before and after on one fill,
#                                    alternating); its starts are logged and listed as "compareStarts"
#   BENCH_INDEX_COMPARE_JAVA_OPTS    JVM options of those starts instead of BENCH_INDEX_JAVA_OPTS (with
#                                    BENCH_INDEX_COMPARE_DIR=target, compares options on one build)
#
# IndexFill ends with VACUUM (ANALYZE) and a CHECKPOINT of what it filled, as a database in service
# has been vacuumed and checkpointed; autovacuum and fsync stay on.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LT="$ROOT/load-tests"
MVN="${MVN:-mvn}"
JAVA="${JAVA:-java}"
USERS="${BENCH_INDEX_USERS:-100000}"
PER_USER="${BENCH_INDEX_PER_USER:-10}"
OUT="${BENCH_INDEX_OUT:-$LT/target/bench/index-heap.json}"
STARTS="${BENCH_INDEX_STARTS:-1}"
RUN_DIR=""
SERVER_PID=""

say() { printf '[index-bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

stop_server() {
  [[ -n "$SERVER_PID" ]] || return 0
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 240); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$SERVER_PID" 2>/dev/null && kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_server
  if [[ -n "$RUN_DIR" && -f "$RUN_DIR/data/postgres/postmaster.pid" ]]; then
    local pg
    pg=$(head -1 "$RUN_DIR/data/postgres/postmaster.pid" 2>/dev/null || true)
    if [[ "$pg" =~ ^[0-9]+$ ]] && kill -0 "$pg" 2>/dev/null; then
      kill -INT "$pg" 2>/dev/null || true
      for _ in $(seq 1 60); do kill -0 "$pg" 2>/dev/null || break; sleep 0.5; done
    fi
  fi
  [[ -n "$RUN_DIR" ]] && rm -rf "$RUN_DIR"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 40000))
    if port_free "$p" && [[ "$p" != "${2:-}" ]]; then echo "$p"; return 0; fi
  done
  return 1
}
tools() { "$JAVA" -cp "$LT/tools/target/classes:$LT/tools/target/lib/*" "$@"; }

if [[ -z "${BENCH_INDEX_SKIP_BUILD:-}" ]]; then
  say "building the server and the load tools"
  mkdir -p "$LT/target/bench"
  make -C "$ROOT" --no-print-directory -s build MVN="$MVN" >"$LT/target/bench/index-build.log" 2>&1 \
    || { cat "$LT/target/bench/index-build.log"; exit 1; }
  rm -rf "$LT/tools/target/lib"
  (cd "$LT/tools" && "$MVN" -B -ntp -q package dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory=target/lib) >>"$LT/target/bench/index-build.log" 2>&1 \
    || { cat "$LT/target/bench/index-build.log"; exit 1; }
fi
SERVER_DIR="${BENCH_INDEX_SERVER_DIR:-$ROOT/target}"
RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/kms-scim-index.XXXXXX")
mkdir -p "$RUN_DIR/server" "$(dirname "$OUT")"
cp -r "$SERVER_DIR/classes" "$RUN_DIR/server/classes"
cp -r "$SERVER_DIR/lib" "$RUN_DIR/server/lib"
COMPARE_DIR="${BENCH_INDEX_COMPARE_DIR:-}"
if [[ -n "$COMPARE_DIR" ]]; then
  mkdir -p "$RUN_DIR/compare"
  cp -r "$COMPARE_DIR/classes" "$RUN_DIR/compare/classes"
  cp -r "$COMPARE_DIR/lib" "$RUN_DIR/compare/lib"
fi
HTTP_PORT=$(free_port)
PG_PORT=$(free_port "$HTTP_PORT")
SERVER_ENV=(SCIM_HTTP_HOST=127.0.0.1 SCIM_HTTP_PORT="$HTTP_PORT" SCIM_PUBLIC_URL="http://127.0.0.1:$HTTP_PORT"
  SCIM_DATA_DIR="$RUN_DIR/data" SCIM_ADMIN_TOKEN="index_bench_$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')"
  SCIM_LOG_REQUESTS=false SCIM_MANAGEMENT_PORT=0 SCIM_DATABASE_EMBEDDED_PORT="$PG_PORT")
# The embedded database's password is made at the server's first start.
pg_uri() {
  echo "postgresql://postgres:$(cat "$RUN_DIR/data/postgres.password")@localhost:$PG_PORT/postgres"
}

# start_server LOG [BUILD]: starts the server (BUILD: server or compare, under RUN_DIR) and waits until
# it answers; sets STARTED to the seconds it took.
start_server() {
  local t0 t1 build="${2:-server}"
  t0=$(date +%s%N)
  local opts="${BENCH_INDEX_JAVA_OPTS:-}"
  [[ "$build" == compare ]] && opts="${BENCH_INDEX_COMPARE_JAVA_OPTS-$opts}"
  (cd "$RUN_DIR" && exec env "${SERVER_ENV[@]}" "$JAVA" $opts \
    -cp "$RUN_DIR/$build/classes:$RUN_DIR/$build/lib/*" io.hanzo.kms.scim.Main) >"$1" 2>&1 &
  SERVER_PID=$!
  if ! tools io.hanzo.kms.scim.loadtools.Admin wait --url "http://127.0.0.1:$HTTP_PORT/health/ready" \
      --seconds 900 --pid "$SERVER_PID" >/dev/null; then
    say "the server did not become ready; its log:"
    tail -40 "$1" >&2
    exit 1
  fi
  t1=$(date +%s%N)
  STARTED=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
  # The server's own CPU until then (utime + stime), which does not depend on what else the machine ran.
  STARTED_CPU=$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$SERVER_PID/stat")
}

# live_bytes: the server's live heap after a full GC, in bytes.
live_bytes() {
  jcmd "$SERVER_PID" GC.class_histogram | awk '$1 == "Total" { print $3 }'
}

say "starting an empty server (embedded PostgreSQL on port $PG_PORT)"
start_server "$RUN_DIR/empty.log"
EMPTY_START=$STARTED
EMPTY_CPU=$STARTED_CPU
BASE=$(live_bytes)
say "empty server ready in $EMPTY_START s; live heap $((BASE / 1048576)) MB"
say "filling $USERS users with $PER_USER memberships each"
FILL_T0=$(date +%s)
ORG=$(tools io.hanzo.kms.scim.loadtools.IndexFill --pg "$(pg_uri)" --users "$USERS" --per-user "$PER_USER")
FILL_SECONDS=$(($(date +%s) - FILL_T0))
stop_server
say "filled in $FILL_SECONDS s; starting the server on that database"
# measure_start LOG [BUILD]: one start-up, its server's output in LOG; sets RUN_LINE to its wall and CPU
# seconds and the load times the server logged, as "start cpu users groups".
measure_start() {
  start_server "$1" "${2:-server}"
  local user_ms group_ms
  user_ms=$(grep -oE "Index: [0-9]+ users of [0-9]+ organisations loaded in [0-9]+ ms" "$1" | grep -oE "[0-9]+ ms" | grep -oE "[0-9]+" || echo "")
  group_ms=$(grep -oE "memberships loaded in [0-9]+ ms" "$1" | grep -oE "[0-9]+ ms" | grep -oE "[0-9]+" || echo "")
  RUN_LINE="$STARTED $STARTED_CPU ${user_ms:-null} ${group_ms:-null}"
}
RUNS=()
COMPARE_RUNS=()
for n in $(seq 1 "$STARTS"); do
  if [[ -n "$COMPARE_DIR" ]]; then
    measure_start "$RUN_DIR/compare-$n.log" compare
    COMPARE_RUNS+=("\"$RUN_LINE\"")
    say "start $n of $STARTS of $COMPARE_DIR: start-up $STARTED s, server CPU $STARTED_CPU s, users/groups loaded in (ms): $(echo "$RUN_LINE" | cut -d' ' -f3-)"
    stop_server
  fi
  measure_start "$RUN_DIR/loaded-$n.log"
  # With its log, so that the figures and the log reported are the same start's.
  RUNS+=("$RUN_LINE $RUN_DIR/loaded-$n.log")
  say "start $n of $STARTS: start-up $STARTED s, server CPU $STARTED_CPU s, users/groups loaded in (ms): $(echo "$RUN_LINE" | cut -d' ' -f3-)"
  if [[ "$n" -lt "$STARTS" ]]; then stop_server; fi
done
LIVE=$(live_bytes)
stop_server
# The median start by start-up time (the lower middle one of an even count).
read -r START START_CPU USER_MS GROUP_MS START_LOG < <(printf '%s\n' "${RUNS[@]}" | sort -n -k1,1 | sed -n "$(( (STARTS + 1) / 2 ))p")
LOADED=$(grep -E "Index: " "$START_LOG" | sed -E 's/.*Index: //' | tr '\n' ';' || true)
[[ "$USER_MS" == null ]] && USER_MS=""
[[ "$GROUP_MS" == null ]] && GROUP_MS=""
ALL_STARTS=$(printf '%s\n' "${RUNS[@]}" | awk '{ printf "%s%s", (NR > 1 ? ", " : ""), $1 }')
MEMBERSHIPS=$((USERS * PER_USER))
PER_USER_BYTES=$(( (LIVE - BASE) / USERS ))
LOAD_MS=""
if [[ -n "$USER_MS" && -n "$GROUP_MS" ]]; then LOAD_MS=$((USER_MS + GROUP_MS)); fi
cat >"$OUT" <<JSON
{"users": $USERS, "memberships": $MEMBERSHIPS, "org": "$ORG", "liveBytesEmpty": $BASE, "liveBytesLoaded": $LIVE,
 "bytesPerUser": $PER_USER_BYTES, "startSeconds": $START, "allStartSeconds": [$ALL_STARTS], "emptyStartSeconds": $EMPTY_START,
 "startCpuSeconds": $START_CPU, "emptyStartCpuSeconds": $EMPTY_CPU,
 "indexLoadMillis": ${LOAD_MS:-null}, "userLoadMillis": ${USER_MS:-null}, "groupLoadMillis": ${GROUP_MS:-null},
 "compareStarts": [$(IFS=,; echo "${COMPARE_RUNS[*]:-}")],
 "fillSeconds": $FILL_SECONDS, "serverLog": "$(printf '%s' "$LOADED" | tr -d '"\\')"}
JSON
printf 'Index heap per user: %d bytes with %d users and %d memberships (live heap %d MB loaded, %d MB empty); start-up %s s, server CPU %s s (empty: %s s, CPU %s s), index load %s ms\n' \
  "$PER_USER_BYTES" "$USERS" "$MEMBERSHIPS" $((LIVE / 1048576)) $((BASE / 1048576)) "$START" "$START_CPU" "$EMPTY_START" "$EMPTY_CPU" "${LOAD_MS:-?}"
