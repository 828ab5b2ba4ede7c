#!/usr/bin/env bash
# Builds the image's base without a registry or a container daemon: a Java runtime made with jlink
# from the local JDK (only the modules the server uses), the glibc libraries that the JVM and the
# embedded PostgreSQL's binaries link to, busybox for /bin/sh (pg_ctl starts the server through it)
# and wget (health checks), CA certificates, and a non-root user. It is written as a docker-archive
# tarball, which jib reads as a tar:// base.
#
# Usage: build-base.sh <runtime classpath dir> <output tar>
# Needs: a JDK 17 with jmods, busybox-static, GNU tar, sha256sum. No root: tar sets the owners.
set -euo pipefail
LIB_DIR=${1:?runtime classpath dir (target/lib)}
OUT=${2:?output tar}
APP_UID=10001

JAVA_HOME=${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}
[ -d "$JAVA_HOME/jmods" ] || { echo "no jmods in $JAVA_HOME: install the full JDK (openjdk-17-jdk-headless)" >&2; exit 1; }
BUSYBOX=$(command -v busybox || true)
[ -n "$BUSYBOX" ] && ! ldd "$BUSYBOX" >/dev/null 2>&1 || { echo "needs a static busybox (apt-get install busybox-static)" >&2; exit 1; }

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
ROOT=$WORK/rootfs
mkdir -p "$ROOT"

# Modules: what jdeps finds the server and its libraries use, plus what is reached only by name at
# run time: EC and other TLS crypto for a managed PostgreSQL, DNS naming, and the charsets.
MODULES=$("$JAVA_HOME/bin/jdeps" --ignore-missing-deps --multi-release 17 --print-module-deps \
  --class-path "$LIB_DIR/*" "$LIB_DIR"/../classes)
MODULES="$MODULES,jdk.crypto.ec,jdk.crypto.cryptoki,jdk.naming.dns,jdk.charsets,java.management,jdk.management"
echo "jlink modules: $MODULES"
"$JAVA_HOME/bin/jlink" --add-modules "$MODULES" --strip-debug --no-man-pages --no-header-files \
  --compress=2 --output "$ROOT/opt/java"
# The JDK's trust store (on Debian a link into /etc/ssl, which jlink does not follow into the image).
if [ -f /etc/ssl/certs/java/cacerts ]; then
  cp /etc/ssl/certs/java/cacerts "$ROOT/opt/java/lib/security/cacerts"
fi
mkdir -p "$ROOT/etc/ssl/certs"
[ -f /etc/ssl/certs/ca-certificates.crt ] && cp /etc/ssl/certs/ca-certificates.crt "$ROOT/etc/ssl/certs/"

# Shared libraries: those of the runtime, and the system ones the embedded PostgreSQL's binaries need
# (its own libraries ship with it; ldd on the extracted bin/postgres, initdb and pg_ctl lists the rest).
copy_lib() {
  local lib=$1
  [ -e "$lib" ] || return 0
  # The runtime's own libraries, which ldd resolves inside the tree being built: already in place.
  case "$lib" in "$ROOT"/*) return 0 ;; esac
  mkdir -p "$ROOT$(dirname "$lib")"
  cp -L "$lib" "$ROOT$lib"
}
for lib in $(find "$ROOT/opt/java" -name '*.so' -o -path '*/bin/*' -type f | xargs ldd 2>/dev/null \
             | awk '/=> \// {print $3} /^\t\/lib/ {print $1}' | sort -u); do
  copy_lib "$lib"
done
for lib in /lib/x86_64-linux-gnu/libc.so.6 /lib/x86_64-linux-gnu/libm.so.6 /lib/x86_64-linux-gnu/libdl.so.2 \
           /lib/x86_64-linux-gnu/libpthread.so.0 /lib/x86_64-linux-gnu/librt.so.1 \
           /lib/x86_64-linux-gnu/libstdc++.so.6 /lib/x86_64-linux-gnu/libgcc_s.so.1 \
           /lib/x86_64-linux-gnu/libz.so.1 /lib64/ld-linux-x86-64.so.2 \
           /lib/x86_64-linux-gnu/libnss_files.so.2 /lib/x86_64-linux-gnu/libnss_dns.so.2 \
           /lib/x86_64-linux-gnu/libresolv.so.2; do
  copy_lib "$lib"
done
# Debian's merged /usr: the loader path in every binary is /lib64/..., libraries are found in /lib/...
mkdir -p "$ROOT/usr"
ln -s ../lib "$ROOT/usr/lib"

# The C.UTF-8 locale: initdb refuses to create the embedded database without a valid locale.
if [ -d /usr/lib/locale/C.utf8 ]; then
  mkdir -p "$ROOT/lib/locale"
  cp -r /usr/lib/locale/C.utf8 "$ROOT/lib/locale/"
fi

mkdir -p "$ROOT/bin"
cp "$BUSYBOX" "$ROOT/bin/busybox"
for cmd in sh wget; do ln -s busybox "$ROOT/bin/$cmd"; done

mkdir -p "$ROOT/etc"
cat > "$ROOT/etc/passwd" <<PASSWD
root:x:0:0:root:/root:/sbin/nologin
kms:x:$APP_UID:$APP_UID:kms-scim:/data:/sbin/nologin
PASSWD
cat > "$ROOT/etc/group" <<GROUP
root:x:0:
kms:x:$APP_UID:
GROUP
echo "hosts: files dns" > "$ROOT/etc/nsswitch.conf"
mkdir -p "$ROOT/data" "$ROOT/tmp"
chmod 0755 "$ROOT/data"
chmod 1777 "$ROOT/tmp"

# One layer: everything root-owned except the user's /data and the world-writable /tmp.
LAYER=$WORK/layer.tar
TAR_OPTS=(--sort=name --mtime=@0 --numeric-owner --format=gnu)
tar -C "$ROOT" "${TAR_OPTS[@]}" --owner=0 --group=0 --exclude=./data --exclude=./tmp -cf "$LAYER" .
tar -C "$ROOT" "${TAR_OPTS[@]}" --owner=$APP_UID --group=$APP_UID -rf "$LAYER" ./data ./tmp
DIFF_ID=$(sha256sum "$LAYER" | cut -d' ' -f1)

mkdir -p "$WORK/archive"
mv "$LAYER" "$WORK/archive/layer.tar"
cat > "$WORK/archive/config.json" <<CONFIG
{"architecture":"amd64","os":"linux","created":"1970-01-01T00:00:00Z",
 "config":{"User":"$APP_UID:$APP_UID",
   "Env":["PATH=/opt/java/bin:/bin","JAVA_HOME=/opt/java","LANG=C.UTF-8"],
   "WorkingDir":"/data"},
 "rootfs":{"type":"layers","diff_ids":["sha256:$DIFF_ID"]},
 "history":[{"created":"1970-01-01T00:00:00Z","created_by":"deploy/image/build-base.sh"}]}
CONFIG
cat > "$WORK/archive/manifest.json" <<MANIFEST
[{"Config":"config.json","RepoTags":["kms-scim-base:local"],"Layers":["layer.tar"]}]
MANIFEST
mkdir -p "$(dirname "$OUT")"
tar -C "$WORK/archive" --sort=name --mtime=@0 --owner=0 --group=0 -cf "$OUT" manifest.json config.json layer.tar
echo "base image: $OUT ($(du -h "$OUT" | cut -f1))"
