#!/bin/bash
# Watch mode end to end (`i2vfs watch DIR`): images copied into a plain
# folder become videos in out/, with the same rules as the mount: rsync's
# temp + rename, swap files never jobs, a deleted record lets the image run
# again, an invalid request.json gives a record naming the error.
cd "$(dirname "$0")/../.." || exit 1
. tests/integration/lib.sh

DIR=$WORK/watched
KB=$DIR/local/kenburns
mkdir -p "$DIR"

# probe_ok FILE FRAMES: an H.264 yuv420p video of FRAMES frames, about 1 s.
probe_ok() {
    local p
    p=$(probe "$1") || return 1
    read -r codec w h pix frames dur <<<"$p"
    [ "$codec" = h264 ] || fail "codec $codec" || return 1
    [ "$pix" = yuv420p ] || fail "pix_fmt $pix" || return 1
    [ "$w" = 160 ] && [ "$h" = 96 ] || fail "size ${w}x$h" || return 1
    [ "$frames" = "$2" ] || fail "frames $frames, want $2" || return 1
    python3 -c "import sys; sys.exit(abs(float('$dur') - 1.0) > 0.2)" ||
        fail "duration $dur" || return 1
}

docs_are_real_files() {
    [ -f "$DIR/README.txt" ] || fail "no README.txt" || return 1
    [ -f "$KB/MODEL.md" ] || fail "no MODEL.md" || return 1
    python3 -m json.tool "$KB/request.example.json" >/dev/null ||
        fail "request.example.json is not JSON" || return 1
}

cp_image_gives_a_video() {
    local d=$KB/cp
    mkdir -p "$d"
    echo "$SMALL_REQUEST" >"$d/request.json"
    make_image "$WORK/photo.jpg"
    cp "$WORK/photo.jpg" "$d/photo.jpg"
    wait_for 60 test -f "$d/out/photo.mp4" || fail "no out/photo.mp4" || return 1
    wait_for 10 state_is "$d/out/photo.json" succeeded ||
        fail "record: $(cat "$d/out/photo.json")" || return 1
    probe_ok "$d/out/photo.mp4" 8 || return 1
    # The generated docs and the record itself never become jobs.
    [ ! -e "$KB/out/request.example.json" ] || fail "the example ran" || return 1
}

rm_record_runs_again() {
    local d=$KB/again
    mkdir -p "$d"
    echo "$SMALL_REQUEST" >"$d/request.json"
    make_image "$d/photo.png"
    wait_for 60 state_is "$d/out/photo.json" succeeded || fail "first run" || return 1
    rm "$d/out/photo.json" "$d/out/photo.mp4"
    # With the record gone, touching the image runs it again.
    touch "$d/photo.png"
    wait_for 60 state_is "$d/out/photo.json" succeeded ||
        fail "no second run after rm of the record" || return 1
    wait_for 10 test -f "$d/out/photo.mp4" || fail "no video" || return 1
    [ "$(record_field "$d/out/photo.json" attempts)" = 1 ] ||
        fail "attempts $(record_field "$d/out/photo.json" attempts)" || return 1
}

invalid_request_names_the_error() {
    local d=$KB/bad
    mkdir -p "$d"
    echo '{"duration": 99}' >"$d/request.json"
    make_image "$d/photo.jpg"
    wait_for 30 state_is "$d/out/photo.json" failed ||
        fail "record: $(cat "$d/out/photo.json" 2>/dev/null)" || return 1
    local msg
    msg=$(record_field "$d/out/photo.json" error)
    [[ "$msg" == *duration* ]] || fail "error: $msg" || return 1
    [ ! -e "$d/out/photo.mp4" ] || fail "a video for a bad request" || return 1
    # Fixing request.json restarts the failed job.
    echo "$SMALL_REQUEST" >"$d/request.json"
    wait_for 60 state_is "$d/out/photo.json" succeeded ||
        fail "not restarted by the fixed request.json" || return 1
}

rsync_temp_and_rename() {
    local d=$KB/rsync
    mkdir -p "$d"
    echo "$SMALL_REQUEST" >"$d/request.json"
    make_image "$WORK/r.jpg"
    # What rsync does: write .name.XXXXXX, close, rename into place.
    cp "$WORK/r.jpg" "$d/.photo.jpg.Ab12Cd"
    mv "$d/.photo.jpg.Ab12Cd" "$d/photo.jpg"
    wait_for 60 state_is "$d/out/photo.json" succeeded || fail "no job" || return 1
    [ -z "$(ls -A "$d/out" | grep '^\.')" ] || fail "hidden results" || return 1
    [ "$(ls "$d/out" | wc -l)" = 2 ] || fail "out/: $(ls "$d/out")" || return 1
}

vim_swap_is_never_a_job() {
    local d=$KB/vim
    mkdir -p "$d"
    echo "$SMALL_REQUEST" >"$d/request.json"
    make_image "$WORK/v.png"
    # vim's swap and backup files, even with image bytes in them.
    cp "$WORK/v.png" "$d/.notes.png.swp"
    cp "$WORK/v.png" "$d/notes.png~"
    echo x >"$d/4913"
    # A real image afterwards: once it is done, the swap had its chance.
    cp "$WORK/v.png" "$d/real.png"
    wait_for 60 state_is "$d/out/real.json" succeeded || fail "real.png" || return 1
    local extra
    extra=$(ls -A "$d/out" | grep -v '^real\.')
    [ -z "$extra" ] || fail "unexpected results: $extra" || return 1
}

same_bytes_twice_copied() {
    local d=$KB/twice
    mkdir -p "$d"
    echo "$SMALL_REQUEST" >"$d/request.json"
    make_image "$d/a.jpg"
    wait_for 60 state_is "$d/out/a.json" succeeded || fail "a.jpg" || return 1
    cp "$d/a.jpg" "$d/b.jpg"
    wait_for 60 state_is "$d/out/b.json" succeeded || fail "b.jpg" || return 1
    [ "$(record_field "$d/out/b.json" copied_from)" = "local/kenburns/twice/out/a.mp4" ] ||
        fail "b.jpg was rendered again" || return 1
    cmp -s "$d/out/a.mp4" "$d/out/b.mp4" || fail "results differ" || return 1
}

killed_mid_render_finishes_once() {
    local d=$KB/killed
    mkdir -p "$d"
    # Long enough to be caught running.
    echo '{"duration": 10, "fps": 24, "resolution": "640x360"}' >"$d/request.json"
    make_image "$d/photo.jpg" 640x360
    wait_for 60 state_is "$d/out/photo.json" running || fail "never ran" || return 1
    crash_daemon
    [ ! -e "$d/out/photo.mp4" ] || fail "a video before the end" || return 1
    start_watch "$DIR" || return 1
    wait_for 120 state_is "$d/out/photo.json" succeeded || fail "not resumed" || return 1
    [ "$(record_field "$d/out/photo.json" attempts)" = 2 ] ||
        fail "attempts $(record_field "$d/out/photo.json" attempts)" || return 1
    [ "$(ls "$d/out")" = "$(printf 'photo.json\nphoto.mp4')" ] ||
        fail "out/: $(ls "$d/out")" || return 1
    [ -z "$(ls -A "$DIR/.i2vfs/staging")" ] || fail "staging left over" || return 1
}

start_watch "$DIR" || exit 1
run_case docs_are_real_files docs_are_real_files
run_case cp_image_gives_a_video cp_image_gives_a_video
run_case rm_record_runs_again rm_record_runs_again
run_case invalid_request_names_the_error invalid_request_names_the_error
run_case rsync_temp_and_rename rsync_temp_and_rename
run_case vim_swap_is_never_a_job vim_swap_is_never_a_job
run_case same_bytes_twice_copied same_bytes_twice_copied
run_case killed_mid_render_finishes_once killed_mid_render_finishes_once
finish
