#!/bin/bash
# Hostile input that differs in watch mode (i2vfs watch DIR): the store is
# the user's own folder, so nothing refuses a symlink, an overlong name or
# a huge file at write time; the engine must still never follow a link out
# of the store, and fail or ignore clearly. The daemon keeps serving (probe
# job) and exits 0.
#
# | # | input                                          | expected                                          |
# |---|------------------------------------------------|---------------------------------------------------|
# | 1 | passwd.jpg -> /etc/passwd (moved into place)   | failed: "passwd.jpg leads out of the store"       |
# | 1b| ln -s /etc/passwd direct.jpg (straight in)     | never a job, not even after a rescan              |
# | 2 | image -> ../../../outside/secret.png (relative) | failed: "leads out of the store"                 |
# | 3 | imageTail end.png -> /etc/hostname             | failed: "end.png leads out of the store"          |
# | 4 | request.json -> /etc/passwd                    | failed: "request.json leads out of the store"     |
# | 5 | a folder -> a folder outside with images       | nothing runs there; nothing written outside       |
# | 6 | alias.png -> .real.png (moved into place)      | succeeded (links inside the store are files)      |
# | 7 | a 100 MB image (sparse)                        | failed: "larger than 50 MB"                       |
# | 8 | a 251-byte stem                                | never a job: no record, no video, no publish loop |
# | 9 | a newline and ESC in a broken image's name     | one-line error, escaped; log lines stay one line  |
# |10 | probe job at the end                           | succeeded                                         |
# |11 | daemon exits 0                                 | (finish)                                          |
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/hostile_lib.sh"
M=$STORE/local/kenburns
export LC_ALL=C.UTF-8
make_image "$SRC/tiny.png" 64x48 || exit 1
make_image "$SRC/photo.jpg" 320x240 || exit 1
mkdir -p "$WORK/outside"
cp "$SRC/tiny.png" "$WORK/outside/secret.png"
start_watch "$STORE" || exit 1

# link_case TARGET NAME REGEX: NAME (an image) links to TARGET, moved
# into place as tools that replace files atomically do.
link_case() {
    fresh || return 1
    echo "$SMALL_REQUEST" >"$D/request.json"
    # A first job shows the new folder is watched (a folder's first scan
    # lists regular files only, like a rescan).
    cp "$SRC/tiny.png" "$D/first.png" && succeeds "$D" first || return 1
    ln -s "$1" "$D/.link.tmp" && mv "$D/.link.tmp" "$D/$2" &&
        expect_failed "$D" "${2%.*}" "$3"
}
run_case "an image linked to /etc/passwd" link_case /etc/passwd \
    passwd.jpg 'passwd\.jpg leads out of the store'
run_case "an image linked out by a relative path" link_case \
    ../../../../outside/secret.png secret.png 'secret\.png leads out of the store'

# ln -s straight into the folder makes no inotify event a job waits for,
# and a rescan (request.json written) lists only regular files: such a
# link is never a job, and nothing is read through it.
case_plain_link() {
    fresh || return 1
    echo "$SMALL_REQUEST" >"$D/request.json"
    ln -s /etc/passwd "$D/direct.jpg" || return 1
    cp "$SRC/tiny.png" "$D/photo.png" && succeeds "$D" photo || return 1
    echo "$SMALL_REQUEST" >"$D/request.json" # a rescan of the folder
    probe_job || return 1
    [ ! -e "$D/out/direct.json" ] && [ ! -e "$D/out/direct.mp4" ] ||
        fail "the link was a job: $(cat "$D/out/direct.json")"
}
run_case "ln -s straight in is never a job" case_plain_link

case_asset_link() {
    fresh || return 1
    echo '{"duration": 1, "fps": 8, "resolution": "160x96", "providerOptions": {"local": {"imageTail": "end.png"}}}' \
        >"$D/request.json"
    ln -s /etc/hostname "$D/end.png" || return 1
    cp "$SRC/tiny.png" "$D/photo.png" &&
        expect_failed "$D" photo 'end\.png leads out of the store'
}
run_case "an imageTail linked out" case_asset_link

case_request_link() {
    fresh || return 1
    ln -s /etc/passwd "$D/request.json" || return 1
    cp "$SRC/tiny.png" "$D/photo.png" &&
        expect_failed "$D" photo 'request\.json leads out of the store'
}
run_case "a request.json linked out" case_request_link

case_dir_link() {
    fresh || return 1
    echo "$SMALL_REQUEST" >"$D/request.json"
    ln -s "$WORK/outside" "$D/away" || return 1
    cp "$SRC/tiny.png" "$D/photo.png"
    succeeds "$D" photo || return 1
    cp "$SRC/tiny.png" "$WORK/outside/new.png" # a change out there
    probe_job || return 1
    [ ! -e "$WORK/outside/out" ] || fail "a job ran outside the store"
}
run_case "a folder linked out" case_dir_link

case_inside_link() {
    fresh || return 1
    echo "$SMALL_REQUEST" >"$D/request.json"
    cp "$SRC/tiny.png" "$D/.real.png" # hidden: not a job of its own
    ln -s .real.png "$D/.alias.tmp" && mv "$D/.alias.tmp" "$D/alias.png" &&
        succeeds "$D" alias
}
run_case "a link inside the store is a file" case_inside_link

case_huge() {
    fresh || return 1
    echo "$SMALL_REQUEST" >"$D/request.json"
    cp "$SRC/photo.jpg" "$WORK/huge.jpg" && truncate -s 100M "$WORK/huge.jpg"
    mv "$WORK/huge.jpg" "$D/huge.jpg" &&
        expect_failed "$D" huge 'huge\.jpg is larger than 50 MB'
}
run_case "a 100 MB image" case_huge

case_long_stem() {
    local stem
    stem=$(printf 'a%.0s' $(seq 251))
    fresh || return 1
    echo "$SMALL_REQUEST" >"$D/request.json"
    cp "$SRC/tiny.png" "$D/$stem.png" || return 1
    cp "$SRC/tiny.png" "$D/after.png"
    succeeds "$D" after || return 1
    [ "$(ls "$D/out")" = "$(printf 'after.json\nafter.mp4')" ] ||
        fail "out/ holds $(ls "$D/out" | head -c 80)" || return 1
    ! grep -q "cannot publish" "$WORK/daemon.log" ||
        fail "the publisher tried a name that cannot be"
}
run_case "a 251-byte stem is never a job" case_long_stem

case_control_name() {
    fresh || return 1
    echo "$SMALL_REQUEST" >"$D/request.json"
    echo "not an image" >"$D/"$'bad\n\x1b.png'
    expect_failed "$D" $'bad\n\x1b' 'bad\\n\\x1b\.png is not an image' ||
        return 1
    wait_for 5 grep -qF 'bad\n\x1b.png: ' "$WORK/daemon.log" ||
        fail "no escaped log line" || return 1
    ! grep -vqE '^(i2vfs: |\[|    )' "$WORK/daemon.log" ||
        fail "a log line was split"
}
run_case "a newline and ESC in a name" case_control_name

run_case "a probe job still succeeds" probe_job
finish
