#!/usr/bin/env bash
# `make demo`, the README's main job: on a fresh Debian 12 machine (as root) install what is
# needed, start blockvisord in standalone mode, create and start a node from the bundled example
# image (demochain) and show it producing blocks with a rising height.
#
#   scripts/demo.sh                 run the demo; leaves the daemon and the node running
#   DEMO_CLEANUP=1 scripts/demo.sh  run it, then delete the node and stop the daemon
#
# Environment:
#   BV_ROOT       host root of the daemon (default /: the real paths, /var/lib/blockvisor, as an
#                 installed host has them). Keep it short: node sockets live under it and Unix
#                 socket paths are limited to 107 bytes.
#   DEMO_NODE     node name (default: demo-node)
#   DEMO_SECONDS  how long to watch the height once it shows (default: 20)
#   DEMO_START_WAIT  how long to wait for the first height (default: 120)
#   DEMO_REBUILD  1 = rebuild the bundle even if dist/bundle exists
#
# Idempotent: a second run reuses the bundle, rootfs, image store, daemon and node.
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$(pwd)

export BV_ROOT=${BV_ROOT:-/}
export BV_BUNDLE_DIR=${BV_BUNDLE_DIR:-$REPO/dist/bundle}
NODE=${DEMO_NODE:-demo-node}
SECONDS_TO_WATCH=${DEMO_SECONDS:-20}
BV="$REPO/.venv/bin/bv"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
die() { echo "demo: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root: nodes need namespaces, a bridge and cgroups (sudo make demo)"

step "Installing prerequisites (Debian packages, .venv)"
scripts/setup.sh

step "Bundle (babel, job runner and CLI zipapps)"
if [ "${DEMO_REBUILD:-0}" = 1 ] || [ ! -f "$BV_BUNDLE_DIR/babel" ] || [ ! -f "$BV_BUNDLE_DIR/babel_job_runner" ]; then
  [ "$BV_BUNDLE_DIR" = "$REPO/dist/bundle" ] || die "BV_BUNDLE_DIR=$BV_BUNDLE_DIR has no babel zipapps"
  echo "building dist/bundle (a minute or two the first time)"
  if ! scripts/bundle.sh; then
    # Nodes need only the in-node zipapps; a failure later in the bundle must not stop the demo.
    [ -f "$BV_BUNDLE_DIR/babel" ] && [ -f "$BV_BUNDLE_DIR/babel_job_runner" ] ||
      die "scripts/bundle.sh failed before building babel and babel_job_runner"
    echo "demo: warning: scripts/bundle.sh failed after the in-node zipapps were built; going on" >&2
  fi
else
  echo "reusing $BV_BUNDLE_DIR"
fi

step "Node root filesystem (Debian bookworm + python3, cached)"
BASE_ROOTFS=$(scripts/build-test-rootfs.sh debian)
echo "$BASE_ROOTFS"

step "Importing the example image (demochain 1.0.0 and 2.0.0) into the local image store"
"$BV" image import images/example/1.0.0 images/example/2.0.0 \
  --base-rootfs "$BASE_ROOTFS" --overlay images/example/rootfs \
  --prewarm "$BV_BUNDLE_DIR/babel" --prewarm "$BV_BUNDLE_DIR/babel_job_runner"

step "Starting blockvisord (standalone, BV_ROOT=$BV_ROOT)"
"$BV" start
"$BV" status | head -n 2
"$BV" image list

step "Creating node '$NODE' from demochain 1.0.0"
if "$BV" node status "$NODE" >/dev/null 2>&1; then
  echo "node '$NODE' already exists: reusing it"
else
  "$BV" node create demochain --version 1.0.0 --name "$NODE" --prop block-time=1 --prop "greeting=hello from make demo"
fi

step "Starting node '$NODE'"
"$BV" node start "$NODE"
"$BV" node list

step "Watching the chain height for ${SECONDS_TO_WATCH} s (bv node run height $NODE)"
# The first answer can take a while on a busy machine (babel, init, the service starting): wait
# for it up to START_WAIT seconds, then watch for SECONDS_TO_WATCH.
START_WAIT=${DEMO_START_WAIT:-120}
first="" last="" deadline=$((SECONDS + START_WAIT))
while [ "$SECONDS" -lt "$deadline" ]; do
  if h=$("$BV" node run height "$NODE" 2>/dev/null); then
    printf '%s  height %s\n' "$(date -u +%H:%M:%S)" "$h"
    if [ -z "$first" ]; then
      first=$h
      deadline=$((SECONDS + SECONDS_TO_WATCH))
    fi
    last=$h
  else
    printf '%s  (node starting: no height yet)\n' "$(date -u +%H:%M:%S)"
  fi
  sleep 2
done

"$BV" node jobs "$NODE" || true
if [ -z "$first" ] || [ "$last" -le "$first" ]; then
  echo
  echo "demo: the height did not rise (first=${first:-none}, last=${last:-none})" >&2
  echo "  look at: $BV node info $NODE ; $BV node logs $NODE ; ${BV_ROOT%/}/var/log/blockvisor.log" >&2
  exit 1
fi
echo
echo "The height rose from $first to $last: node '$NODE' is producing blocks."

if [ "${DEMO_CLEANUP:-0}" = 1 ]; then
  step "Cleaning up (DEMO_CLEANUP=1)"
  "$BV" node delete -y "$NODE"
  "$BV" stop
  exit 0
fi

cat <<EOF

blockvisord and node '$NODE' keep running. Try:
  export PATH=$REPO/.venv/bin:\$PATH$( [ "$BV_ROOT" = / ] || echo " BV_ROOT=$BV_ROOT")
  bv node list                     bv node info $NODE
  bv node logs $NODE demochain -f  bv node run height $NODE
  bv node upgrade $NODE --version 2.0.0
To clean up:
  bv node delete -y $NODE && bv stop      (or: DEMO_CLEANUP=1 make demo)
EOF
