#!/usr/bin/env bash
# Installs what sciencehub needs on a Debian machine, idempotently and quietly.
#   .ci/setup.sh runtime  - Debian's jupyterhub (jupyterhub-singleuser, the default server) + npm packages
#   .ci/setup.sh test     - the above + redis-server, chromium and SimpleSAMLphp (a real SAML IdP) for the tests
#   .ci/setup.sh bench    - the test set + wrk for the proxy benchmark
set -euo pipefail
cd "$(dirname "$0")/.."
mode="${1:-runtime}"
pkgs=(jupyterhub)
case "$mode" in
  runtime) ;;
  test) pkgs+=(redis-server chromium simplesamlphp php-cli php-xml php-mbstring) ;;
  bench) pkgs+=(redis-server chromium simplesamlphp php-cli php-xml php-mbstring wrk) ;;
  *) echo "setup: unknown mode '$mode' (runtime, test or bench)" >&2; exit 2 ;;
esac

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup: missing Debian packages: ${missing[*]} (run as root, or install them yourself)" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]} ..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq -o DPkg::Lock::Timeout=600 >/dev/null
  log=$(mktemp)
  if ! apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 "${missing[@]}" >"$log" 2>&1; then
    cat "$log" >&2; rm -f "$log"; exit 1
  fi
  rm -f "$log"
fi

# Install only when node_modules is missing or older than the lock file. `npm install` (not
# `npm ci`): this machine's npm writes lock files without entries for other platforms' optional
# packages (@swc/core-darwin-*, ...), which `npm ci` rejects as out of sync. `npm install` keeps
# the locked versions and leaves the lock file as it is.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages ..."
  npm install --no-audit --no-fund --loglevel=error >/dev/null
fi
