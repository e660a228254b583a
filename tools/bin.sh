#!/usr/bin/env bash
# Usage: tools/bin.sh MODULE_DIR TOOL_PACKAGE
# Builds one tool pinned in a tools module (tools/<MODULE_DIR>/go.mod) into a cache folder
# outside the clone, keyed by the module's go.mod and go.sum and the Go version, and prints
# the binary's path.
# A second run finds the binary and builds nothing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mod="$here/$1"
pkg=$2
name=$(basename "$pkg")
key=$( (cat "$mod/go.mod" "$mod/go.sum"; go env GOVERSION) | sha256sum | cut -c1-12)
cache=${HERALD_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/herald-tools}
out="$cache/$1-$key"
if [ -x "$out/$name" ]; then
  echo "$out/$name"
  exit 0
fi
echo "tools: building $name from tools/$1 into $out" >&2
mkdir -p "$out"
tmp=$(mktemp "$out/.$name.XXXXXX")
(cd "$mod" && CGO_ENABLED=0 go build -trimpath -o "$tmp" "$pkg")
mv "$tmp" "$out/$name"
echo "$out/$name"
