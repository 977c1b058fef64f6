# shellcheck shell=bash
# Sourced by scripts/omen and scripts/test. Installs what a fresh Debian 12 machine with only
# Node 20 and npm lacks, idempotently: the Debian engines, a pinned pnpm, the workspace's
# node_modules, and the dev Kafka broker built from librdkafka's mock cluster (make and patch build
# it from Debian's librdkafka source package, see packages/stack/native/README.md).
set -euo pipefail

OMEN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
OMEN_HOME="${OMEN_HOME:-$OMEN_ROOT/.omen}"
PNPM_VERSION="10.34.9"
# prometheus: the embedded stack's metrics engine, and promtool (config, rules, rule unit tests, /metrics lint).
# zookeeper: ClickHouse replication and ON CLUSTER DDL in `stack up --cluster` (run as our own
# process with our own zoo.cfg; the package starts no service here).
APT_PACKAGES=(librdkafka-dev pkg-config gcc libc6-dev make patch clickhouse-server clickhouse-client redis-server nats-server prometheus zookeeper)
export OMEN_ROOT OMEN_HOME

omen_log() { printf '[omen] %s\n' "$*" >&2; }

omen_as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    omen_log "need root to run: $*"; return 1; fi
}

omen_ensure_apt() {
  local missing=()
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  omen_log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  omen_as_root apt-get update -qq >/dev/null || omen_log "apt-get update failed; trying the install anyway"
  # Debian's packages start no daemon here (no systemd); the stack starts each engine itself.
  omen_as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Debian's chromium, on demand: only the integration test that opens a report in a browser needs
# it (packages/testing/src/chromium.ts), so `omen` itself never installs it.
omen_ensure_chromium() {
  command -v chromium >/dev/null && return 0
  omen_log "installing Debian's chromium (the report rendering test opens reports in it)"
  export DEBIAN_FRONTEND=noninteractive
  omen_as_root apt-get update -qq >/dev/null || omen_log "apt-get update failed; trying the install anyway"
  omen_as_root apt-get install -y -qq --no-install-recommends chromium >/dev/null
}

omen_ensure_pnpm() {
  local tools="$OMEN_HOME/tools"
  PNPM="$tools/node_modules/.bin/pnpm"
  if [ ! -x "$PNPM" ] || [ "$("$PNPM" --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
    omen_log "installing pnpm $PNPM_VERSION into $tools"
    mkdir -p "$tools"
    npm install --silent --no-audit --no-fund --prefix "$tools" "pnpm@$PNPM_VERSION" >/dev/null
  fi
  export PNPM
}

omen_ensure_node_modules() {
  local stamp="$OMEN_ROOT/node_modules/.omen-install-stamp"
  local want
  want="$(cat "$OMEN_ROOT/pnpm-lock.yaml" "$OMEN_ROOT"/package.json "$OMEN_ROOT"/packages/*/package.json "$OMEN_ROOT"/services/*/package.json 2>/dev/null | sha256sum | cut -d' ' -f1)"
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then return 0; fi
  omen_log "installing node dependencies (pnpm install)"
  local frozen=()
  [ -f "$OMEN_ROOT/pnpm-lock.yaml" ] && [ "${CI:-}" = "true" ] && frozen=(--frozen-lockfile)
  (cd "$OMEN_ROOT" && "$PNPM" install --reporter=silent "${frozen[@]}")
  want="$(cat "$OMEN_ROOT/pnpm-lock.yaml" "$OMEN_ROOT"/package.json "$OMEN_ROOT"/packages/*/package.json "$OMEN_ROOT"/services/*/package.json 2>/dev/null | sha256sum | cut -d' ' -f1)"
  echo "$want" >"$stamp"
}

omen_check_node() {
  if ! command -v node >/dev/null; then omen_log "Node.js 20.6 or newer is required"; exit 1; fi
  local major; major="$(node -p 'process.versions.node.split(".")[0]')"
  if [ "$major" -lt 20 ]; then omen_log "Node.js >= 20 required, found $(node --version)"; exit 1; fi
}

# What every verb needs: Node, the pinned pnpm and the workspace's node modules; no apt, no root.
omen_bootstrap_node() {
  omen_check_node
  omen_ensure_pnpm
  omen_ensure_node_modules
}

# What the verbs that start local engines (demo, stack, the tests) need: the Debian engines and
# build tools too, installed first as before.
omen_bootstrap() {
  omen_check_node
  omen_ensure_apt
  omen_ensure_pnpm
  omen_ensure_node_modules
}
