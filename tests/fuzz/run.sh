#!/bin/sh
# Runs each libFuzzer target for a bounded time (make fuzz / fuzz-short).
#   tests/fuzz/run.sh BUILD_DIR SECONDS TARGET:MAX_LEN...
# Each target fuzzes a copy of tests/fuzz/corpus/<target> kept in
# BUILD_DIR/corpus/<target> (new inputs stay there, not in the checked-in
# seeds); a crash is saved under BUILD_DIR/crashes/<target>/. Prints one
# line per target (runs, new inputs, coverage, crashes) and fails when any
# target crashed.
set -u

build=$1
seconds=$2
shift 2
crashed=0

printf '%-14s %10s %8s %8s %8s\n' target runs new cov crashes
for spec in "$@"; do
    target=${spec%%:*}
    max_len=${spec#*:}
    corpus=$build/corpus/$target
    crashes=$build/crashes/$target
    log=$build/logs/$target.log
    mkdir -p "$corpus" "$crashes" "$build/logs"
    cp -n tests/fuzz/corpus/"$target"/* "$corpus"/ 2>/dev/null
    before=$(ls "$crashes" | wc -l)
    "$build/$target" -max_total_time="$seconds" -max_len="${max_len:-4096}" \
        -rss_limit_mb=1024 -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$crashes/" "$corpus" >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    new=$(sed -n 's/^stat::new_units_added: *//p' "$log")
    cov=$(sed -n 's/.*DONE *cov: \([0-9]*\).*/\1/p' "$log" | tail -n 1)
    found=$(($(ls "$crashes" | wc -l) - before))
    if [ "$rc" -ne 0 ] && [ "$found" -eq 0 ]; then
        found=1 # died without an artifact: still a failure
    fi
    printf '%-14s %10s %8s %8s %8s\n' "$target" "${runs:-?}" "${new:-?}" \
        "${cov:-?}" "$found"
    if [ "$found" -ne 0 ]; then
        crashed=1
        grep -E 'ERROR:|FUZZ_CHECK|runtime error|Test unit written' "$log" |
            head -n 5 | sed 's/^/    /'
        echo "    log: $log; reproduce: $build/$target <artifact>"
    fi
done
exit "$crashed"
