#!/usr/bin/env bash
# Runs the image the way an operator would, in podman: once on its embedded PostgreSQL in a volume and
# once against an external PostgreSQL. Each time it waits for /health/ready, walks the README's curl
# flow, stops the container with SIGTERM (podman stop), starts it again and finds the user.
# Usage: image-test.sh <image tarball>
set -euo pipefail
cd "$(dirname "$0")/../.."
TARBALL=${1:-target/kms-scim-image.tar}
export CONTAINERS_CONF=$PWD/deploy/image/containers.conf
ADMIN=image-test-admin-token-0123456789
SUFFIX=$$
PASSED=0
FAILED=0

need_root_install() {
  if [ "$(id -u)" != 0 ]; then
    echo "image-test: $1 is missing; install it (apt-get install $2)" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $2 >/dev/null
}
command -v podman >/dev/null || need_root_install podman "podman runc"
command -v runc >/dev/null || need_root_install runc runc
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
[ -n "$PG_BIN" ] || { need_root_install PostgreSQL postgresql; PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1); }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
check() {  # check <description> <command...>
  local what=$1; shift
  if "$@"; then echo "  ok   $what"; PASSED=$((PASSED+1)); else echo "  FAIL $what"; FAILED=$((FAILED+1)); fi
}

CONTAINERS=()
VOLUMES=()
PG_DIR=
cleanup() {
  for c in "${CONTAINERS[@]}"; do podman rm -f "$c" >/dev/null 2>&1 || true; done
  for v in "${VOLUMES[@]}"; do podman volume rm -f "$v" >/dev/null 2>&1 || true; done
  if [ -n "$PG_DIR" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}
trap cleanup EXIT

IMAGE=$(podman load -i "$TARBALL" | sed -n 's/^Loaded image: //p' | tail -n 1)
echo "image: $IMAGE"
SIZE=$(podman image inspect "$IMAGE" --format '{{.Size}}')
echo "size: $((SIZE / 1000000)) MB"
check "image under 150 MB" test "$SIZE" -lt 150000000
check "runs as a non-root user" test "$(podman image inspect "$IMAGE" --format '{{.Config.User}}')" = "10001:10001"
for label in version revision source; do
  value=$(podman image inspect "$IMAGE" --format "{{index .Labels \"org.opencontainers.image.$label\"}}")
  check "label org.opencontainers.image.$label ($value)" test -n "$value" -a "$value" != "<no value>"
done

wait_ready() {  # wait_ready <port> <container>
  for _ in $(seq 1 180); do
    if curl -sf "http://127.0.0.1:$1/health/ready" >/dev/null; then return 0; fi
    if [ "$(podman inspect "$2" --format '{{.State.Running}}')" != true ]; then break; fi
    sleep 1
  done
  podman logs "$2" 2>&1 | tail -n 40
  return 1
}

# The README's walk-through: organisation, SCIM on, token, a user, the PingOne filter.
walk_readme() {  # walk_readme <port>; sets TOKEN
  local kms=http://127.0.0.1:$1 org
  org=$(curl -s -X POST "$kms/api/v1/organizations" -H "Authorization: Bearer $ADMIN" \
          -d '{"name":"Acme","plan":"pro"}' | sed -E 's/.*"id":"([^"]+)".*/\1/')
  check "organisation created" test -n "$org"
  check "SCIM switched on" sh -c "curl -s -X PATCH '$kms/api/v1/organizations/$org' -H 'Authorization: Bearer $ADMIN' \
        -d '{\"scimEnabled\":true}' | grep -q '\"scimEnabled\":true'"
  TOKEN=$(curl -s -X POST "$kms/api/v1/organizations/$org/scim-tokens" -H "Authorization: Bearer $ADMIN" \
          -d '{"description":"PingOne","ttlDays":365}' | sed -E 's/.*"token":"([^"]+)".*/\1/')
  check "SCIM token created" test "${TOKEN#kms_scim_}" != "$TOKEN"
  local status
  status=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$kms/api/v1/scim/Users" -H "Authorization: Bearer $TOKEN" \
       -H 'Content-Type: application/scim+json' -d '{
         "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
         "userName": "jane@acme.com",
         "name": {"givenName": "Jane", "familyName": "Doe"},
         "emails": [{"value": "jane@acme.com", "type": "work", "primary": true}]
       }')
  check "user provisioned (201)" test "$status" = 201
}

find_jane() {  # find_jane <port>
  curl -s -G "http://127.0.0.1:$1/api/v1/scim/Users" -H "Authorization: Bearer $TOKEN" \
       --data-urlencode 'filter=email.value Eq "jane@acme.com"' | grep -q '"totalResults":1,.*"userName":"jane@acme.com"'
}

# run_case <name> <extra podman args...>
run_case() {
  local name=$1; shift
  local port mport c=kms-scim-test-$name-$SUFFIX v=kms-scim-test-$name-$SUFFIX
  port=$(free_port); mport=$(free_port)
  echo "== $name"
  podman volume create "$v" >/dev/null; VOLUMES+=("$v")
  CONTAINERS+=("$c")
  # Read-only root filesystem: the server writes only to the /data volume and /tmp (a tmpfs).
  podman run -d --name "$c" --read-only --network host -v "$v:/data" \
    -e SCIM_HTTP_HOST=127.0.0.1 -e SCIM_HTTP_PORT="$port" -e SCIM_MANAGEMENT_PORT="$mport" \
    -e SCIM_PUBLIC_URL="http://127.0.0.1:$port" -e SCIM_ADMIN_TOKEN="$ADMIN" -e SCIM_LOG_FORMAT=json \
    --health-cmd "wget -q -O /dev/null http://127.0.0.1:$port/health/ready" --health-interval disable \
    "$@" "$IMAGE" >/dev/null
  check "ready on /health/ready" wait_ready "$port" "$c"
  check "container health check passes" podman healthcheck run "$c"
  walk_readme "$port"
  check "filter lookup finds the user" find_jane "$port"
  check "metrics on the management port" sh -c "curl -s http://127.0.0.1:$mport/metrics | grep -q '^kms_scim_index_users 1.0'"
  check "request id returned" sh -c "curl -s -D - -o /dev/null -H 'X-Request-Id: img-test-1' http://127.0.0.1:$port/health/live | grep -qi '^x-request-id: img-test-1'"
  check "every log line is JSON" sh -c "! podman logs $c 2>&1 | grep -v '^{' | grep -q ."
  podman stop -t 60 "$c" >/dev/null
  check "SIGTERM: exit status 0" test "$(podman inspect "$c" --format '{{.State.ExitCode}}')" = 0
  check "SIGTERM: shut-down steps logged" sh -c "podman logs $c 2>&1 | grep -q '\"msg\":\"kms-scim stopped\"'"
  podman start "$c" >/dev/null
  check "ready again after restart" wait_ready "$port" "$c"
  check "the user is still there" find_jane "$port"
  podman stop -t 60 "$c" >/dev/null
}

run_case embedded

# External PostgreSQL: a throwaway cluster on a loopback port, run by a non-root user.
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
PG_DIR=$(mktemp -d)
PG_PORT=$(free_port)
PG_PASS=image-test-$SUFFIX
echo "$PG_PASS" > "$PG_DIR/pw"
[ "$(id -u)" = 0 ] && chown -R postgres "$PG_DIR"
as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -U kms --pwfile="$PG_DIR/pw" -A scram-sha-256 -E UTF-8 >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -w -l "$PG_DIR/log" \
  -o "-c listen_addresses=127.0.0.1 -c port=$PG_PORT -c unix_socket_directories=$PG_DIR" start >/dev/null
PGPASSWORD=$PG_PASS "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U kms kms
run_case external -e SCIM_DATABASE_URL="postgresql://kms:$PG_PASS@127.0.0.1:$PG_PORT/kms"
check "external: the data is in the external database" sh -c \
  "PGPASSWORD=$PG_PASS '$PG_BIN/psql' -h 127.0.0.1 -p $PG_PORT -U kms -d kms -tAc \"SELECT count(*) FROM scim_users WHERE user_name = 'jane@acme.com'\" | grep -qx 1"

echo "image-test: $PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ]
