# The drop area end to end with ordinary tools, on either front end: drop an
# image, get an MP4; cp, mv, rsync, gio, echo > request.json, editor
# temporaries, rm, inotify watchers, a crash mid-render, a bad request.
# Sourced by test_drop_mount.sh (MODE=mount) and test_drop_watch.sh
# (MODE=watch), so both front ends pass the same cases.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

if [ "$MODE" = mount ]; then
    need_fuse
    M=$MNT/local/kenburns
    start_daemon() { start_mount; }
else
    M=$STORE/local/kenburns
    start_daemon() { start_watch "$STORE"; }
fi
SRC=$WORK/src
mkdir -p "$SRC"
make_image "$SRC/photo.jpg" 320x240
make_image "$SRC/other.png" 240x320
start_daemon || exit 1

# new_case DIR: a folder of the model with the small request in it.
new_case() {
    mkdir "$M/$1" && echo "$SMALL_REQUEST" >"$M/$1/request.json"
}

# video_ok FILE: a complete 1 s, 8 fps, 160x96 H.264 yuv420p MP4.
video_ok() {
    local p
    p=$(probe "$1") || return 1
    read -r codec w h pix frames dur <<<"$p"
    [ "$codec" = h264 ] && [ "$pix" = yuv420p ] && [ "$w" = 160 ] &&
        [ "$h" = 96 ] && [ "$frames" = 8 ] &&
        python3 -c "import sys; sys.exit(abs(float('$dur') - 1.0) > 0.1)" ||
        fail "unexpected video: $p"
}

succeeded() { # DIR STEM
    wait_for 60 state_is "$1/out/$2.json" succeeded ||
        fail "$2: state $(record_field "$1/out/$2.json" state) error $(record_field "$1/out/$2.json" error)"
}

case_cp() {
    new_case cp && cp "$SRC/photo.jpg" "$M/cp/" && succeeded "$M/cp" photo &&
        video_ok "$M/cp/out/photo.mp4" &&
        [ "$(record_field "$M/cp/out/photo.json" progress)" = 100 ] ||
        fail "progress not 100"
}

case_record_fields() {
    local rec=$M/cp/out/photo.json
    python3 - "$rec" <<'PY' || fail "record fields"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["state"] == "succeeded", r
assert r["model"].endswith("kenburns"), r["model"]
assert r["image"]["name"] == "photo.jpg" and len(r["image"]["sha256"]) == 64
assert r["request"]["duration"] == 1
o = r["output"]
assert o["codec"] == "h264" and o["width"] == 160 and o["height"] == 96, o
assert o["bytes"] > 0 and len(o["sha256"]) == 64 and o["fps"] == 8, o
for k in ("created_at", "finished_at"):
    assert r[k].endswith("Z") and "T" in r[k], r[k]
PY
}

case_mv_from_outside() {
    new_case mv && cp "$SRC/photo.jpg" "$WORK/moved.jpg" &&
        mv "$WORK/moved.jpg" "$M/mv/" && succeeded "$M/mv" moved &&
        video_ok "$M/mv/out/moved.mp4"
}

case_mv_inside() {
    new_case mvin && cp "$SRC/other.png" "$M/mvin/.hidden.png" &&
        mv "$M/mvin/.hidden.png" "$M/mvin/shown.png" &&
        succeeded "$M/mvin" shown && [ ! -e "$M/mvin/out/.hidden.json" ]
}

case_rsync() {
    new_case rs && rsync "$SRC/photo.jpg" "$M/rs/" && succeeded "$M/rs" photo &&
        [ "$(ls -A "$M/rs/out" | sort | tr '\n' ' ')" = "photo.json photo.mp4 " ] ||
        fail "out/ holds: $(ls -A "$M/rs/out")"
}

case_gio() {
    command -v gio >/dev/null || { echo "    (gio not installed: skipped)"; return 0; }
    new_case gio &&
        gio copy "$SRC/photo.jpg" "$M/gio/copied.jpg" &&
        gio save "$M/gio/saved.jpg" <"$SRC/photo.jpg" &&
        succeeded "$M/gio" copied && succeeded "$M/gio" saved &&
        video_ok "$M/gio/out/saved.mp4"
}

case_bad_request_then_fix() {
    mkdir "$M/fix" && echo '{"duration": 99}' >"$M/fix/request.json" &&
        cp "$SRC/photo.jpg" "$M/fix/" &&
        wait_for 30 state_is "$M/fix/out/photo.json" failed || fail "no failed record"
    local msg
    msg=$(record_field "$M/fix/out/photo.json" error)
    [[ "$msg" == *duration* && "$msg" == *99* ]] || fail "error does not name the field: $msg"
    [ ! -e "$M/fix/out/photo.mp4" ] || fail "a video for a failed job"
    echo "$SMALL_REQUEST" >"$M/fix/request.json"
    succeeded "$M/fix" photo && video_ok "$M/fix/out/photo.mp4"
}

case_invalid_json() {
    mkdir "$M/badjson" && printf '{\n  "duration": 1,\n  "fps": \n}\n' >"$M/badjson/request.json" &&
        cp "$SRC/photo.jpg" "$M/badjson/" &&
        wait_for 30 state_is "$M/badjson/out/photo.json" failed || fail "no failed record"
    local msg
    msg=$(record_field "$M/badjson/out/photo.json" error)
    [[ "$msg" == *request.json* && "$msg" == *line* ]] || fail "error does not say where: $msg"
}

case_editor_temporaries() {
    new_case vim &&
        cp "$SRC/photo.jpg" "$M/vim/.photo.jpg.swp" &&
        cp "$SRC/photo.jpg" "$M/vim/photo.jpg~" &&
        cp "$SRC/photo.jpg" "$M/vim/photo.jpg.part" &&
        cp "$SRC/photo.jpg" "$M/vim/.goutputstream-XYZ12" &&
        cp "$SRC/other.png" "$M/vim/real.png" &&
        succeeded "$M/vim" real &&
        [ "$(ls -A "$M/vim/out" | sort | tr '\n' ' ')" = "real.json real.mp4 " ] ||
        fail "out/ holds: $(ls -A "$M/vim/out")"
}

case_rm_record_runs_again() {
    local rec=$M/cp/out/photo.json
    local first
    first=$(record_field "$rec" created_at)
    rm "$M/cp/out/photo.json" "$M/cp/out/photo.mp4" &&
        [ ! -e "$M/cp/out/photo.mp4" ] || fail "rm in out/ refused"
    # Reading never triggers anything; touching (a write of attributes) does.
    cat "$M/cp/photo.jpg" >/dev/null
    touch "$M/cp/photo.jpg"
    succeeded "$M/cp" photo && video_ok "$M/cp/out/photo.mp4"
}

case_rm_image_keeps_results() {
    rm "$M/rs/photo.jpg" && [ -e "$M/rs/out/photo.mp4" ] &&
        state_is "$M/rs/out/photo.json" succeeded
}

case_out_is_read_only() {
    ! echo x 2>/dev/null >"$M/cp/out/fake.mp4" && [ ! -e "$M/cp/out/fake.mp4" ] ||
        fail "a user could write into out/"
}

case_inotify_sees_video() {
    command -v inotifywait >/dev/null || { echo "    (no inotifywait)"; return 1; }
    local events=$WORK/events
    inotifywait -m -e moved_to,create --format '%e %f' "$M/cp/out" >"$events" 2>"$WORK/inotify.err" &
    local iw=$!
    wait_for 10 grep -q "Watches established" "$WORK/inotify.err"
    cp "$SRC/other.png" "$M/cp/second.png"
    wait_for 60 grep -q "MOVED_TO second.mp4" "$events"
    local rc=$?
    kill $iw 2>/dev/null
    [ $rc -eq 0 ] || fail "inotify saw: $(cat "$events")"
}

case_crash_mid_render_finishes_once() {
    mkdir "$M/crash" &&
        echo '{"duration": 15, "fps": 24, "resolution": "1080p"}' >"$M/crash/request.json" &&
        cp "$SRC/photo.jpg" "$M/crash/" &&
        wait_for 30 state_is "$M/crash/out/photo.json" running || fail "never running"
    crash_daemon
    [ ! -e "$M/crash/out/photo.mp4" ] || fail "a video before the end"
    # On the mount, the dead mountpoint ("Transport endpoint is not
    # connected") is cleaned up by the next start.
    start_daemon || return 1
    wait_for 180 state_is "$M/crash/out/photo.json" succeeded || fail "not finished after restart"
    local attempts
    attempts=$(record_field "$M/crash/out/photo.json" attempts)
    [ "$attempts" = 2 ] || fail "attempts $attempts"
    [ "$(ls -A "$M/crash/out" | sort | tr '\n' ' ')" = "photo.json photo.mp4 " ] ||
        fail "out/ holds: $(ls -A "$M/crash/out")"
    [ -z "$(ls -A "$STORE/.i2vfs/staging")" ] || fail "staging left: $(ls -A "$STORE/.i2vfs/staging")"
    local frames
    frames=$(probe "$M/crash/out/photo.mp4" | awk '{print $5}')
    [ "$frames" = 360 ] || fail "frames $frames"
}

run_case "cp an image, get a video" case_cp
run_case "the job record" case_record_fields
run_case "mv from another filesystem" case_mv_from_outside
run_case "rename of a hidden file into a final name" case_mv_inside
run_case "rsync (temporary + rename)" case_rsync
run_case "gio copy and gio save" case_gio
run_case "bad request.json, then echo > request.json fixes it" case_bad_request_then_fix
run_case "invalid JSON names line and column" case_invalid_json
run_case "editor and download temporaries never start jobs" case_editor_temporaries
run_case "rm of out/ record lets the image run again" case_rm_record_runs_again
run_case "rm of an image keeps its results" case_rm_image_keeps_results
[ "$MODE" = mount ] && run_case "out/ is read-only for users" case_out_is_read_only
run_case "inotifywait on out/ sees the video arrive" case_inotify_sees_video
run_case "killed mid-render, restarted, finished exactly once" case_crash_mid_render_finishes_once
finish
