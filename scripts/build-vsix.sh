#!/usr/bin/env bash
# `make vsix`: builds vscode-extension/sindri.vsix from a clean checkout, offline but for the registries.
# The .vsix carries the `sindri` package and its dependencies (pip-installed into bundled/libs, with
# the compiled ones for CPython 3.11, 3.12 and 3.13), so a user needs only Python 3.11+.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
ext="$root/vscode-extension"
py="$root/.venv/bin/python"

(cd "$ext" && npm ci --no-audit --no-fund --loglevel=error && node esbuild.mjs --minify)

rm -rf "$ext/bundled/libs" && mkdir -p "$ext/bundled/libs" "$ext/schemas"
"$py" -m pip install -q --disable-pip-version-check --no-compile --target "$ext/bundled/libs" "$root"
"$py" scripts/bundle_abis.py "$ext/bundled/libs" 3.12 3.13
cp "$root/schemas/sindri.schema.json" "$ext/schemas/sindri.schema.json"

case "$(uname -m)" in x86_64) target=linux-x64 ;; aarch64) target=linux-arm64 ;; *) target="" ;; esac
(cd "$ext" && npx vsce package --no-dependencies --allow-missing-repository ${target:+--target "$target"} --out sindri.vsix </dev/null)
echo "built $ext/sindri.vsix"
