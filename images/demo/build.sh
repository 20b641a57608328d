#!/usr/bin/env bash
# Builds the demo image (default tag sindri-demo:local) offline from this folder and Debian's
# busybox-static. Idempotent: when an image with the same inputs exists, nothing is rebuilt.
# Usage: images/demo/build.sh [TAG]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tag="${1:-sindri-demo:local}"
busybox="${SINDRI_BUSYBOX:-/bin/busybox}"

if [ ! -x "$busybox" ] || ! "$busybox" --help >/dev/null 2>&1; then
  echo "build.sh: $busybox not found. Install Debian's static busybox: sudo apt-get install -y busybox-static" >&2
  exit 1
fi
if ldd "$busybox" >/dev/null 2>&1; then
  echo "build.sh: $busybox is dynamically linked; the image needs the static one (apt-get install -y busybox-static)" >&2
  exit 1
fi

# A digest of every input decides whether the existing image is still current.
inputs="$( (cd "$here" && find Dockerfile rootfs -type f -print0 | sort -z | xargs -0 sha256sum; \
  stat -c '%a %n' rootfs/usr/local/bin/*; sha256sum "$busybox" | cut -d' ' -f1) | sha256sum | cut -c1-16)"
current="$(docker image inspect --format '{{ index .Config.Labels "dev.sindri.demo.inputs" }}' "$tag" 2>/dev/null || true)"
if [ "$current" = "$inputs" ]; then
  echo "image $tag is up to date"
  exit 0
fi

context="$(mktemp -d)"
trap 'rm -rf "$context"' EXIT
cp -a "$here/Dockerfile" "$here/rootfs" "$context/"
cp "$busybox" "$context/busybox"
# The legacy builder prints a deprecation notice on stderr; show the log only when the build fails.
if ! docker build --quiet --label "dev.sindri.demo.inputs=$inputs" -t "$tag" "$context" >"$context/build.log" 2>&1; then
  cat "$context/build.log" >&2
  exit 1
fi
echo "built image $tag"
