#!/bin/bash
# Runs every unit test binary under valgrind (memcheck, full leak check);
# a definite or indirect leak or any memory error fails the binary. Prints
# ok/FAIL per binary, the time taken, and "N passed, N failed".
# usage: valgrind.sh SUPPRESSIONS BINARY…
set -u
supp=$1
shift
pass=0
fail=0
start=$SECONDS
logdir=$(mktemp -d /tmp/i2vfs-valgrind-XXXXXX)
for bin in "$@"; do
    name=$(basename "$bin")
    t0=$SECONDS
    if valgrind --quiet --leak-check=full \
        --errors-for-leak-kinds=definite,indirect --show-leak-kinds=definite,indirect \
        --error-exitcode=1 --suppressions="$supp" --num-callers=30 \
        --log-file="$logdir/$name.vg" "$bin" >"$logdir/$name.out" 2>&1; then
        pass=$((pass + 1))
        echo "ok   $name ($((SECONDS - t0)) s)"
    else
        fail=$((fail + 1))
        echo "FAIL $name ($((SECONDS - t0)) s)"
        grep -E '^[0-9]+ passed, [0-9]+ failed' "$logdir/$name.out" | sed 's/^/    /'
        sed 's/^/    /' "$logdir/$name.vg" | head -n 60
    fi
done
rm -rf "$logdir"
echo "valgrind: $# binaries in $((SECONDS - start)) s"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
