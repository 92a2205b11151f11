#!/usr/bin/env bash
# Set up tsprof on a fresh Debian/Ubuntu machine: system packages (when run as root or with sudo),
# then the npm dependencies and the build (npm ci runs `prepare`, which builds).
#   - libcairo2-dev libpango1.0-dev libjpeg-dev libgif-dev librsvg2-dev: headers to build `canvas`
#     from source (PNG plots of `tsprof mem --plot`);
#   - linux-perf: `tsprof perf` hardware counters; valgrind: its simulated-cache fallback;
#   - tmux: the dashboard's terminal test; gcc/g++/make/python3: native addons and the C reference;
#   - golang-go: `go tool pprof`, the real client the pprof export is tested with.
set -euo pipefail
cd "$(dirname "$0")/.."
packages=(libcairo2-dev libpango1.0-dev libjpeg-dev libgif-dev librsvg2-dev linux-perf valgrind tmux gcc g++ make python3 golang-go)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null; then SUDO="sudo"; else SUDO=none; fi
  if [ "$SUDO" = none ]; then
    echo "setup: cannot install ${missing[*]} (not root, no sudo); PNG plots, perf or valgrind may be unavailable" >&2
  else
    echo "setup: installing ${missing[*]}"
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
fi
npm ci --no-audit --no-fund
