#!/usr/bin/env bash
# Runs every Go fuzz target (func FuzzXxx(f *testing.F) in a *_test.go file)
# for FUZZTIME each, one `go test -fuzz` per target (Go fuzzes one target at a
# time). New inputs that fail are written to the package's
# testdata/fuzz/FuzzXxx, as Go does; commit them with the fix.
#   FUZZTIME=20s   how long each target runs (a go test -fuzztime value)
#   FUZZ_PKGS=./internal/...   where to look (default: the whole module)
#   FUZZ_MATCH=Lua  run only the targets whose name contains this
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZTIME=${FUZZTIME:-20s}
GO=${GO:-go}
pkgs=${FUZZ_PKGS:-./...}
failed=()
ran=0
# Packages, then the fuzz targets each declares.
while read -r dir; do
  [ -n "$dir" ] || continue
  targets=$(grep -hoE '^func Fuzz[A-Za-z0-9_]+\(f \*testing\.F\)' "$dir"/*_test.go 2>/dev/null |
    sed -E 's/^func (Fuzz[A-Za-z0-9_]+).*/\1/' | sort -u || true)
  for t in $targets; do
    if [ -n "${FUZZ_MATCH:-}" ] && [[ $t != *"$FUZZ_MATCH"* ]]; then continue; fi
    rel=./${dir#"$PWD"/}
    echo "== $rel $t ($FUZZTIME)"
    ran=$((ran + 1))
    if ! $GO test -run '^$' -fuzz "^${t}\$" -fuzztime "$FUZZTIME" "$rel"; then
      failed+=("$rel $t")
    fi
  done
done < <($GO list -f '{{if or .TestGoFiles .XTestGoFiles}}{{.Dir}}{{end}}' $pkgs)
echo "fuzz: $ran targets run, ${#failed[@]} failed"
if [ ${#failed[@]} -gt 0 ]; then
  printf '  failed: %s\n' "${failed[@]}"
  exit 1
fi
