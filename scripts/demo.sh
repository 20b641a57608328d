#!/usr/bin/env bash
# The README's main job, one command on a fresh Linux machine (run by `make demo`):
# installs what is missing, builds the demo image, deploys examples/local/sindri.yaml to the local
# Docker engine, prints its status, runs a command inside it, and says how to connect and destroy.
# Usage: scripts/demo.sh [--clean]   (--clean, or CLEAN=1, destroys the environment at the end)
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$(pwd)"
config="examples/local/sindri.yaml"
sindri=".venv/bin/sindri"
engine_script="../shared/tools/install-docker-engine.sh"

clean="${CLEAN:-0}"
for arg in "$@"; do
  case "$arg" in
    --clean) clean=1 ;;
    -h | --help) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "demo: unknown argument '$arg' (use --clean)" >&2; exit 2 ;;
  esac
done

step() { printf '\n==> %s\n' "$*"; }
as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else echo "demo: '$*' needs root and sudo is not available; run it as root, then re-run make demo" >&2; exit 1
  fi
}

[ -x "$sindri" ] || { echo "demo: $sindri is missing; run \`make demo\` (it creates .venv first)" >&2; exit 1; }

step "Checking the Docker engine"
if ! command -v docker >/dev/null 2>&1 || ! docker info >/dev/null 2>&1; then
  if [ -f "$engine_script" ]; then
    echo "No Docker engine is reachable; installing and starting one with $engine_script"
    as_root bash "$engine_script"
  else
    cat >&2 <<MSG
demo: no Docker engine is reachable and $engine_script (beside this clone) is absent.
Install Docker Engine and the Compose v2 plugin (https://docs.docker.com/engine/install/), start it
(sudo systemctl start docker), check that \`docker info\` works, then run \`make demo\` again.
MSG
    exit 1
  fi
fi
echo "$(docker version --format 'Docker engine {{.Server.Version}}'), $(docker compose version 2>/dev/null || docker-compose version --short)"

step "Building the demo image sindri-demo:local (offline, from images/demo/)"
if [ ! -x /bin/busybox ] || ldd /bin/busybox >/dev/null 2>&1; then
  echo "Installing Debian's static busybox (busybox-static)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q busybox-static >/dev/null \
    || { as_root apt-get update -q >/dev/null && as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q busybox-static >/dev/null; }
fi
bash images/demo/build.sh sindri-demo:local

step "Deploying $config"
status_json="$("$sindri" status -c "$config" --json)" || exit 1  # sindri has said what is wrong
state="$(printf '%s' "$status_json" | .venv/bin/python -c 'import json,sys; print(json.load(sys.stdin)["state"])')"
if [ "$state" = "not_deployed" ]; then
  "$sindri" deploy -c "$config"
else
  echo "sindri-demo is already deployed ($state); recreating it (the home volume is kept)"
  "$sindri" deploy -c "$config" --force
fi

step "Status"
"$sindri" status -c "$config"

step "Running a command inside: sindri connect -c $config -- sh -c '...'"
"$sindri" connect -c "$config" -- sh -c 'echo "Hello from $(hostname), user $(id -un), in $PWD"; uname -sr'

if [ "$clean" = 1 ]; then
  step "Cleaning up (--clean)"
  "$sindri" destroy -c "$config" --yes
  exit 0
fi

cat <<MSG

Your environment is running. From $repo:
  open a shell:      $sindri connect -c $config
  run one command:   $sindri connect -c $config -- id
  stop / start:      $sindri stop -c $config   /   $sindri start -c $config
  remove everything: $sindri destroy -c $config      (or: make demo CLEAN=1)
MSG
