#!/usr/bin/env bash
# Installs what dbgwalk's builds and tests need, on Debian, as root.
# Only missing packages are installed; failure to install is fatal, because a
# suite without its tools would only be reported as skipped.
set -euo pipefail

packages=(cmake make gcc gcc-multilib clang lld llvm libclang-rt-dev python3 file
          mingw-w64 wine wine64 libcmocka-dev libunicorn-dev python3-jsonschema)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

echo "setup: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "setup: missing packages and not root; run as root (or install: ${missing[*]})" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${missing[@]}" >/dev/null
