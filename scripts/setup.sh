#!/usr/bin/env bash
# Installs everything the project needs on a fresh Debian 12 machine, idempotently:
# Debian packages (bubblewrap, mosquitto, debootstrap, ...) and a virtualenv in .venv
# with every workspace package installed editable plus the pinned dev tools.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(bubblewrap iproute2 iptables mosquitto debootstrap busybox-static e2fsprogs
              procps psmisc ca-certificates python3-venv make ufw curl zstd)
missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  "$PY" -m venv .venv
fi
stamp=.venv/.bv-setup-stamp
want=$(cat constraints.txt packages/*/pyproject.toml | sha256sum | cut -c1-16)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: installing Python packages into .venv"
  .venv/bin/python -m pip install -q --disable-pip-version-check -U pip 2>&1 | grep -v "is ignored" || true
  .venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt \
    -e packages/bv-core -e packages/babel -e packages/job-runner -e packages/bv-daemon \
    -e packages/installer -e packages/bvup \
    pytest pytest-xdist pytest-asyncio pytest-timeout ruff mypy shiv hatchling build \
    grpcio-tools types-protobuf types-PyYAML aiohttp 2>&1 | grep -v "is ignored" || true
  echo "$want" > "$stamp"
fi
