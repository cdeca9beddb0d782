#!/bin/bash
# docs/api.md must be what the export tables say: regenerate it with
# `make docs` after changing an exports.def.
set -u
XDRV=${XDRV:-build/xdrv}
want=$(mktemp); trap 'rm -f "$want"' EXIT
{ sed -n '1,/^<!-- generated below/p' docs/api.md; "$XDRV" exports --markdown; } >"$want"
if diff -u docs/api.md "$want" >/dev/null; then
    echo "PASS docs/api.md matches the export tables"
    echo "1 passed, 0 failed"
else
    diff -u docs/api.md "$want" | head -40
    echo "FAIL docs/api.md is stale: run make docs"
    echo "0 passed, 1 failed"
    exit 1
fi
