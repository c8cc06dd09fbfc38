#!/bin/bash
# Runs unit test binaries, then integration scripts; sums their
# "N passed, N failed" lines and fails if anything failed.
# usage: run-tests.sh BUILD_DIR [unit binaries…] -- [integration scripts…]
set -u
build=$1
shift
total_pass=0
total_fail=0
skipped=0
failed_names=()

tally() { # name, exit code, output file
    local name=$1 rc=$2 out=$3 line p f
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$out" | tail -n 1)
    if [ "$rc" -eq 77 ]; then
        skipped=$((skipped + 1))
        echo "SKIP $name"
        return
    fi
    if [ -n "$line" ]; then
        p=${line%% passed*}
        f=${line#*, }
        f=${f%% failed*}
    elif [ "$rc" -eq 0 ]; then
        p=1 f=0
    else
        p=0 f=1
    fi
    [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
    if [ "$f" -ne 0 ]; then
        failed_names+=("$name")
        echo "FAIL $name ($p passed, $f failed, exit $rc)"
        sed 's/^/    /' "$out" | tail -n 40
    else
        echo "ok   $name ($p passed)"
    fi
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
phase=unit
for t in "$@"; do
    if [ "$t" = "--" ]; then
        phase=integration
        continue
    fi
    out="$tmp/out"
    if [ "$phase" = unit ]; then
        "$t" >"$out" 2>&1
    else
        I2VFS_BIN="$build/i2vfs" timeout 600 bash "$t" >"$out" 2>&1
    fi
    tally "$(basename "$t")" $? "$out"
done
[ ${#failed_names[@]} -gt 0 ] && echo "failed: ${failed_names[*]}"
echo "$total_pass passed, $total_fail failed, $skipped skipped"
[ "$total_fail" -eq 0 ]
