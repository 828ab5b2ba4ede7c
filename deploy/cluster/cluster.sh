#!/usr/bin/env bash
# N kms-scim instances on one PostgreSQL behind HAProxy, on this machine, for trials (docs/scaling.md).
#
#   cluster.sh run [N]     start, print the addresses, run until Ctrl-C, then stop everything (make cluster N=3)
#   cluster.sh start [N]   start in the background and return (stop later with cluster.sh stop)
#   cluster.sh stop        stop what start or run started (make cluster-stop)
#
# Needs `make build` done (target/classes, target/lib) and HAProxy (apt-get install haproxy).
#   CLUSTER_PORT=8080        HAProxy's port; instance i listens on CLUSTER_PORT + i
#   CLUSTER_STATS_PORT=8404  HAProxy's statistics page
#   CLUSTER_DIR=data/cluster logs, pids, the rendered haproxy.cfg and the embedded database (kept)
#   SCIM_DATABASE_URL        an existing PostgreSQL instead of the embedded one
#   SCIM_ADMIN_TOKEN         the admin token of every instance; a new one is made at each start if empty
# Every address is on 127.0.0.1. Other SCIM_* settings in the environment reach every instance.
set -euo pipefail

CLUSTER_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CLUSTER_DIR="${CLUSTER_DIR:-$CLUSTER_ROOT/data/cluster}"
CLUSTER_CP="$CLUSTER_ROOT/target/classes:$CLUSTER_ROOT/target/lib/*"
JAVA="${JAVA:-java}"
# shellcheck source=cluster-lib.sh
source "$CLUSTER_ROOT/deploy/cluster/cluster-lib.sh"

command=${1:-run}
N=${2:-3}
PORT=${CLUSTER_PORT:-8080}
STATS_PORT=${CLUSTER_STATS_PORT:-8404}

start() {
  if ! [[ "$N" =~ ^[1-9][0-9]*$ ]]; then
    echo "N must be a positive number, not '$N'" >&2
    exit 2
  fi
  if [[ ! -d "$CLUSTER_ROOT/target/classes" || ! -d "$CLUSTER_ROOT/target/lib" ]]; then
    echo "No build found: run 'make build' first (make cluster does)." >&2
    exit 1
  fi
  if [[ -z "$(cluster_haproxy_bin)" ]]; then
    echo "HAProxy is not installed: apt-get install haproxy" >&2
    exit 1
  fi
  if cluster_running; then
    echo "A cluster started from $CLUSTER_DIR is still running: stop it first (make cluster-stop)." >&2
    exit 1
  fi
  local ports=() p
  for p in "$PORT" "$STATS_PORT" $(seq $((PORT + 1)) $((PORT + N))); do
    if cluster_port_taken "$p"; then
      echo "Port $p is taken; choose others with CLUSTER_PORT=... CLUSTER_STATS_PORT=..." >&2
      exit 1
    fi
  done
  rm -rf "$CLUSTER_DIR/pids" "$CLUSTER_DIR/logs"
  mkdir -p "$CLUSTER_DIR/pids" "$CLUSTER_DIR/logs"

  local db="${SCIM_DATABASE_URL:-}"
  if [[ -z "$db" ]]; then
    cluster_say "starting the embedded PostgreSQL (data in $CLUSTER_DIR/postgres)"
    cluster_start_database "${SCIM_DATABASE_EMBEDDED_PORT:-0}"
    db=$CLUSTER_DB_URL
  else
    cluster_say "database: SCIM_DATABASE_URL"
  fi
  local admin="${SCIM_ADMIN_TOKEN:-}"
  if [[ -z "$admin" ]]; then
    admin="kms_admin_$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')"
  fi
  local public="http://127.0.0.1:$PORT"
  # The first instance alone creates or upgrades the schema; the others then start side by side.
  cluster_say "starting instance 1 on 127.0.0.1:$((PORT + 1))"
  cluster_start_instance 1 $((PORT + 1)) "$db" "$admin" "$public"
  cluster_wait_ready instance-1 $((PORT + 1)) 180
  for i in $(seq 2 "$N"); do
    cluster_say "starting instance $i on 127.0.0.1:$((PORT + i))"
    cluster_start_instance "$i" $((PORT + i)) "$db" "$admin" "$public"
  done
  for i in $(seq 2 "$N"); do
    cluster_wait_ready "instance-$i" $((PORT + i)) 180
  done
  for i in $(seq 1 "$N"); do ports+=($((PORT + i))); done
  cluster_say "starting HAProxy on 127.0.0.1:$PORT"
  cluster_start_haproxy "$PORT" "$STATS_PORT" "${ports[@]}"

  echo
  echo "  kms-scim, $N instances on one database, behind HAProxy:"
  echo "    SCIM and admin API:  http://127.0.0.1:$PORT   (SCIM URL http://127.0.0.1:$PORT/api/v1/scim)"
  for i in $(seq 1 "$N"); do
    echo "    instance $i:          http://127.0.0.1:$((PORT + i))   (pid $(cluster_pid "instance-$i"), log $CLUSTER_DIR/logs/instance-$i.log)"
  done
  echo "    HAProxy statistics:  http://127.0.0.1:$STATS_PORT/"
  [[ -z "${SCIM_DATABASE_URL:-}" ]] && echo "    PostgreSQL:          ${db/:postgres@/:***@}"
  if [[ -z "${SCIM_ADMIN_TOKEN:-}" ]]; then
    echo "  Admin API token of this run (shown once, not stored; set SCIM_ADMIN_TOKEN to choose it):"
    echo "    $admin"
  fi
  echo
}

case "$command" in
  run)
    trap 'cluster_say "stopping everything"; cluster_stop' EXIT
    trap 'exit 0' INT TERM
    start
    cluster_say "running; Ctrl-C stops everything"
    # Returns when any of them ends; the trap then stops the others.
    while true; do
      for f in "$CLUSTER_DIR"/pids/*.pid; do
        if ! kill -0 "$(cat "$f")" 2>/dev/null; then
          cluster_say "$(basename "$f" .pid) ended; stopping the rest (logs in $CLUSTER_DIR/logs)"
          exit 1
        fi
      done
      sleep 1
    done
    ;;
  start)
    trap 'rc=$?; ((rc == 0)) || cluster_stop' EXIT
    start
    cluster_say "started; stop it with: make cluster-stop (or $0 stop)"
    ;;
  stop)
    if cluster_running; then
      cluster_say "stopping the cluster of $CLUSTER_DIR"
      cluster_stop
      cluster_say "stopped"
    else
      cluster_say "nothing running from $CLUSTER_DIR"
      rm -rf "$CLUSTER_DIR/pids"
    fi
    ;;
  *)
    echo "Usage: $0 run|start [N] | stop" >&2
    exit 2
    ;;
esac
