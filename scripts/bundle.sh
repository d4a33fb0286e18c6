#!/usr/bin/env bash
# Builds every package's wheel, the shiv zipapps and the versioned bundle tarball (bv-host.md §1.2):
#   $OUT/wheels/*.whl
#   $OUT/bundle/{blockvisord,bv,nib,installer,babel,babel_job_runner}  flat zipapps (BV_BUNDLE_DIR for dev/tests)
#   $OUT/bvup                                                          standalone provisioning zipapp
#   $OUT/staging/bundle/                                               the bundle tree:
#       VERSION, SHA256SUMS (every other file, `sha256sum -c` format), installer,
#       blockvisor/bin/{blockvisord,bv,nib}, blockvisor/services/blockvisor.service,
#       babel/bin/{babel,babel_job_runner}
#   $OUT/releases/<version>/bvd-bundle.tgz (+ .sha256)                 what a bundle store serves
# OUT defaults to dist/ (BV_DIST overrides); the version to bv_daemon.__version__ (BV_BUNDLE_VERSION
# overrides; the daemon reads it back from VERSION). Third-party versions come from constraints.txt.
# Zipapps are tied to CPython 3.11 x86_64 because of compiled wheels (grpcio, orjson, ...).
set -euo pipefail
cd "$(dirname "$0")/.."
REPO=$PWD
PY=$REPO/.venv/bin/python
OUT=${BV_DIST:-dist}
case $OUT in /*) ;; *) OUT=$REPO/$OUT ;; esac
VERSION=${BV_BUNDLE_VERSION:-$(sed -n 's/^__version__ = "\(.*\)"/\1/p' packages/bv-daemon/src/bv_daemon/__init__.py)}
[[ $VERSION =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.+-]+)?$ ]] || { echo "bundle: version '$VERSION' is not semver" >&2; exit 1; }

rm -rf "$OUT/wheels" "$OUT/bundle" "$OUT/bvup" "$OUT/staging" "$OUT/releases/$VERSION"
mkdir -p "$OUT/wheels" "$OUT/bundle"
for p in bv-core babel job-runner bv-daemon installer bvup; do
  "$PY" -m build --wheel --no-isolation -o "$OUT/wheels" "packages/$p" >/dev/null
done
wheel() { ls "$OUT"/wheels/"$1"-*.whl; }
zipapp() { # out console-script wheels...
  local out=$1 script=$2; shift 2
  PIP_CONSTRAINT=$REPO/constraints.txt "$REPO/.venv/bin/shiv" -q -c "$script" -o "$out" \
    -p '/usr/bin/env python3' "$@" 2>&1 | grep -v "is ignored" || true
  [ -f "$out" ] || { echo "bundle: failed to build $out" >&2; return 1; }
}
core=$(wheel bv_core)
daemon_wheels=("$core" "$(wheel job_runner)" "$(wheel bv_daemon)")  # the daemon serves the standalone archive store (job_runner.archive)
# Two at a time: shiv is mostly pip unpacking wheels, one core each.
pids=()
zipapp "$OUT/bundle/babel" babel "$core" "$(wheel babel)" & pids+=($!)
zipapp "$OUT/bundle/babel_job_runner" babel_job_runner "$core" "$(wheel job_runner)" & pids+=($!)
for pid in "${pids[@]}"; do wait "$pid"; done; pids=()
zipapp "$OUT/bundle/blockvisord" blockvisord "${daemon_wheels[@]}" & pids+=($!)
zipapp "$OUT/bundle/bv" bv "${daemon_wheels[@]}" & pids+=($!)
for pid in "${pids[@]}"; do wait "$pid"; done; pids=()
zipapp "$OUT/bundle/nib" nib "${daemon_wheels[@]}" & pids+=($!)
zipapp "$OUT/bundle/installer" installer "$core" "$(wheel bv_installer)" & pids+=($!)
for pid in "${pids[@]}"; do wait "$pid"; done; pids=()
zipapp "$OUT/bvup" bvup "$core" "$(wheel bv_installer)" "$(wheel bvup)"

# The bundle tree (hard links: the flat zipapps stay for BV_BUNDLE_DIR users).
stage=$OUT/staging/bundle
mkdir -p "$stage/blockvisor/bin" "$stage/blockvisor/services" "$stage/babel/bin"
ln "$OUT/bundle/installer" "$stage/installer"
for f in blockvisord bv nib; do ln "$OUT/bundle/$f" "$stage/blockvisor/bin/$f"; done
for f in babel babel_job_runner; do ln "$OUT/bundle/$f" "$stage/babel/bin/$f"; done
install -m 0644 bundle-data/blockvisor.service "$stage/blockvisor/services/blockvisor.service"
echo "$VERSION" > "$stage/VERSION"
(cd "$stage" && find . -type f ! -name SHA256SUMS -printf '%P\n' | LC_ALL=C sort | xargs sha256sum > SHA256SUMS)

rel=$OUT/releases/$VERSION
mkdir -p "$rel"
# Reproducible-ish tarball: sorted names, root owner, fixed mtime; top-level directory `bundle/`.
tar -C "$OUT/staging" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -czf "$rel/bvd-bundle.tgz" bundle
(cd "$rel" && sha256sum bvd-bundle.tgz > bvd-bundle.tgz.sha256)
echo "bundle $VERSION: $rel/bvd-bundle.tgz ($(cut -c1-16 "$rel/bvd-bundle.tgz.sha256")...), $OUT/bvup"
