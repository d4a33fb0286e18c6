#!/usr/bin/env bash
# Builds every package's wheel and the shiv zipapps of the bundle into dist/:
#   dist/wheels/*.whl
#   dist/bundle/{blockvisord,bv,nib,installer,babel,babel_job_runner}   (shiv zipapps)
#   dist/bvup                                                           (standalone zipapp)
# Third-party versions come from constraints.txt. Zipapps are tied to CPython 3.11 x86_64
# because of compiled wheels (grpcio, orjson, ...), like the node rootfs requirement says.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
rm -rf dist && mkdir -p dist/wheels dist/bundle
for p in bv-core babel job-runner bv-daemon installer bvup; do
  "$PY" -m build --wheel --no-isolation -o dist/wheels "packages/$p" >/dev/null
done
wheel() { ls dist/wheels/"$1"-*.whl; }
zipapp() { # out console-script wheels...
  local out=$1 script=$2; shift 2
  PIP_CONSTRAINT=constraints.txt .venv/bin/shiv -q -c "$script" -o "$out" \
    -p '/usr/bin/env python3' "$@" 2>&1 | grep -v "is ignored" || true
  [ -f "$out" ] || { echo "bundle: failed to build $out" >&2; exit 1; }
}
core=$(wheel bv_core)
zipapp dist/bundle/babel babel "$core" "$(wheel babel)"
zipapp dist/bundle/babel_job_runner babel_job_runner "$core" "$(wheel job_runner)"
daemon_wheels=("$core" "$(wheel bv_daemon)")
zipapp dist/bundle/blockvisord blockvisord "${daemon_wheels[@]}"
zipapp dist/bundle/bv bv "${daemon_wheels[@]}"
zipapp dist/bundle/nib nib "${daemon_wheels[@]}"
zipapp dist/bundle/installer installer "$core" "$(wheel bv_installer)"
zipapp dist/bvup bvup "$core" "$(wheel bvup)"
ls -la dist/bundle dist/bvup
