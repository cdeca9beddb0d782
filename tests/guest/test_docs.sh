#!/bin/bash
# docs/api.md and README's API lists must be what the export tables say,
# README's board list what the models' board tables say (xdrv info
# --boards): regenerate them with `make docs` after changing either.
set -u
XDRV=${XDRV:-build/xdrv}
want=$(mktemp); trap 'rm -f "$want"' EXIT
{ sed -n '1,/^<!-- generated below/p' docs/api.md; "$XDRV" exports --markdown; } >"$want"
pass=0 fail=0
if diff -u docs/api.md "$want" >/dev/null; then
    pass=$((pass + 1)); echo "PASS docs/api.md matches the export tables"
else
    diff -u docs/api.md "$want" | head -40
    fail=$((fail + 1)); echo "FAIL docs/api.md is stale: run make docs"
fi
{ sed -n '1,/^<!-- api:begin/p' README.md; "$XDRV" exports --compact; sed -n '/^<!-- api:end/,$p' README.md; } >"$want"
if diff -u README.md "$want" >/dev/null; then
    pass=$((pass + 1)); echo "PASS README.md's API lists match the export tables"
else
    diff -u README.md "$want" | head -20
    fail=$((fail + 1)); echo "FAIL README.md's API lists are stale: run make docs"
fi
{ sed -n '1,/^<!-- boards:begin/p' README.md; "$XDRV" info --boards; sed -n '/^<!-- boards:end/,$p' README.md; } >"$want"
if grep -q '^<!-- boards:begin' README.md && diff -u README.md "$want" >/dev/null; then
    pass=$((pass + 1)); echo "PASS README.md's board list matches the models' board tables"
else
    diff -u README.md "$want" | head -20
    fail=$((fail + 1)); echo "FAIL README.md's board list is stale: run make docs"
fi
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
