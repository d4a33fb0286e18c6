#!/usr/bin/env bash
# Builds (once) and caches a node rootfs for tests and local demos.
#
#   scripts/build-test-rootfs.sh [debian|busybox] [DEST]
#
#   debian  (default) Debian bookworm minbase + python3 + iproute2 (~40 s, ~230 MB); babel and the
#           job runner need CPython >= 3.11 inside the node. DEST defaults to
#           .cache/rootfs/bookworm-py (gitignored).
#   busybox a static busybox with relative applet links (<1 s, 2 MB); for tests that need no
#           python. DEST defaults to .cache/rootfs/busybox.
#
# The build goes to DEST.tmp.<pid> and is renamed into place only when complete, with a stamp
# file (.bv-rootfs-ok) holding the recipe, so a killed build never leaves a half rootfs that
# looks usable. A DEST whose stamp matches the recipe is reused as is.
# debootstrap uses the Debian mirror apt is configured with on this machine (never a hardcoded
# outside host): the first `deb` source serving bookworm in /etc/apt/sources.list{,.d}.
# Prints the rootfs path on stdout; progress and errors go to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."

kind=${1:-debian}
case "$kind" in
  debian)  dest=${2:-.cache/rootfs/bookworm-py} ;;
  busybox) dest=${2:-.cache/rootfs/busybox} ;;
  *) echo "build-test-rootfs: unknown kind '$kind' (want debian or busybox)" >&2; exit 2 ;;
esac
SUITE=bookworm
INCLUDE=python3-minimal,python3,iproute2
recipe="$kind suite=$SUITE include=$INCLUDE v1"
[ "$kind" = busybox ] && recipe="busybox v1"

mkdir -p "$(dirname "$dest")"
dest=$(cd "$(dirname "$dest")" && pwd)/$(basename "$dest")
if [ -f "$dest/.bv-rootfs-ok" ] && [ "$(cat "$dest/.bv-rootfs-ok")" = "$recipe" ]; then
  echo "$dest"; exit 0
fi

tmp="$dest.tmp.$$"
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT

# The first mirror URI apt uses for the suite: deb822 .sources files (URIs:/Suites:) and
# one-line sources.list entries.
apt_mirror() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk -v suite="$SUITE" '
      BEGIN { RS=""; FS="\n" }
      {
        uri=""; ok=0; deb=0
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^URIs:/)   { split($i, a, /[ \t]+/); uri = a[2] }
          if ($i ~ /^Suites:/) { n = split($i, s, /[ \t]+/); for (j = 2; j <= n; j++) if (s[j] == suite) ok = 1 }
          if ($i ~ /^Types:/ && $i ~ /(^|[ \t])deb([ \t]|$)/) deb = 1
          if ($i ~ /^Enabled:[ \t]*no/) { ok = 0 }
        }
        if (uri != "" && ok && deb) { print uri; exit }
      }' "$f"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk -v suite="$SUITE" '$1 == "deb" {
        i = 2; if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
        if ($(i+1) == suite) { print $i; exit }
      }' "$f"
  done
}

case "$kind" in
  busybox)
    bb=$(command -v busybox || true)
    [ -n "$bb" ] || { echo "build-test-rootfs: busybox not installed (apt-get install busybox-static)" >&2; exit 1; }
    mkdir -p "$tmp"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,tmp,run,root,blockjoy,var/lib/babel}
    chmod 1777 "$tmp/tmp"
    cp "$bb" "$tmp/bin/busybox"
    # Relative links: absolute ones would point at host paths and break inside the node.
    for applet in $("$tmp/bin/busybox" --list); do
      [ "$applet" = busybox ] || ln -sf busybox "$tmp/bin/$applet"
    done
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$tmp/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' >"$tmp/etc/group"
    printf '127.0.0.1 localhost\n::1 localhost\n' >"$tmp/etc/hosts"
    ;;
  debian)
    command -v debootstrap >/dev/null || { echo "build-test-rootfs: debootstrap not installed (apt-get install debootstrap)" >&2; exit 1; }
    mirror=$(apt_mirror | head -n1)
    [ -n "$mirror" ] || { echo "build-test-rootfs: no apt source for '$SUITE' in /etc/apt/sources.list{,.d}" >&2; exit 1; }
    echo "build-test-rootfs: debootstrap $SUITE from $mirror into $dest (~40 s)" >&2
    log="$(dirname "$dest")/$(basename "$dest").debootstrap.log"
    if ! debootstrap --variant=minbase --include="$INCLUDE" "$SUITE" "$tmp" "$mirror" >"$log" 2>&1; then
      echo "build-test-rootfs: debootstrap failed; last lines of $log:" >&2
      tail -n 15 "$log" >&2
      exit 1
    fi
    rm -rf "$tmp"/var/cache/apt/archives/*.deb "$tmp"/var/lib/apt/lists/*
    mkdir -p "$tmp/blockjoy" "$tmp/var/lib/babel"
    "$tmp/usr/bin/python3" -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null ||
      chroot "$tmp" python3 -c 'import sys; assert sys.version_info >= (3, 11)'
    ;;
esac

echo "$recipe" >"$tmp/.bv-rootfs-ok"
rm -rf "$dest"
mv "$tmp" "$dest"
trap - EXIT
echo "$dest"
