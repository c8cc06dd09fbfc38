#!/bin/bash
# Hostile names, symlinks and a flood of files on a real FUSE mount; each
# case ends in a record (a video, or a one-sentence error) or a documented
# refusal, and the daemon keeps serving (probe job, exit status 0).
#
# | #  | input                                            | expected                                       |
# |----|--------------------------------------------------|------------------------------------------------|
# | 1  | unicode name "été 東京 🎞.png"                   | succeeded, out/<stem>.mp4                      |
# | 2  | 254-byte name (250-byte stem)                    | succeeded: out/<stem>.json is 255 bytes        |
# | 3  | 255-byte name (251-byte stem)                    | refused: ENAMETOOLONG at create (record could not be named) |
# | 4  | 255-byte name moved in with mv                   | refused: ENAMETOOLONG at rename                |
# | 5  | a newline in the name                            | succeeded; a broken one fails, logged as \n    |
# | 6  | a tab in the name                                | succeeded; a broken one fails, logged as \t    |
# | 7  | control characters (\x01, ESC) in the name       | succeeded; a broken one fails, logged as \xNN  |
# | 7b | every daemon log line                            | starts "i2vfs: " (or a library's "[")          |
# | 8  | symlink to /etc/passwd made through the mount    | refused: EPERM (README: "Symlinks … refused")  |
# | 9  | symlink ../../../x climbing out, through mount   | refused: EPERM                                 |
# | 10 | image symlinked out, made in the store directly  | failed: "leads out of the store"               |
# | 11 | imageTail symlinked out, in the store directly   | failed: "end.png leads out of the store"       |
# | 12 | request.json symlinked out, in the store         | failed: "request.json leads out of the store"  |
# | 13 | a folder symlinked out (to /etc), in the store   | nothing under it runs; no record leaks         |
# | 14 | 2000 PNGs (HOSTILE_FLOOD=N), one cp               | all succeeded; fds and VmRSS bounded; ls out/ < 5 s; another folder serves meanwhile |
# | 15 | probe job at the end                             | succeeded                                      |
# | 16 | daemon exits 0 at unmount                        | (finish)                                       |
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/hostile_lib.sh"
need_fuse
M=$MNT/local/kenburns
S=$STORE/local/kenburns
FLOOD=${HOSTILE_FLOOD:-2000}
export LC_ALL=C.UTF-8
make_image "$SRC/tiny.png" 64x48 || exit 1
start_mount || exit 1

# job_in NAME: a fresh folder with the small request; NAME dropped by cp.
job_in() {
    fresh || return 1
    echo "$SMALL_REQUEST" >"$D/request.json" && cp "$SRC/tiny.png" "$D/$1"
}

case_unicode() {
    job_in "été 東京 🎞.png" && succeeds "$D" "été 東京 🎞"
}
run_case "a unicode name" case_unicode

long_stem() { # N: a stem of N bytes
    printf 'a%.0s' $(seq "$1")
}

case_254() {
    local stem
    stem=$(long_stem 250)
    job_in "$stem.png" && succeeds "$D" "$stem"
}
run_case "a 254-byte name (its record name is 255 bytes)" case_254

# A 251-byte stem: out/<stem>.json would be 256 bytes, more than a name
# may be. The mount refuses the image's name itself, so cp says so.
case_255_create() {
    local name err
    name=$(long_stem 251).png
    fresh || return 1
    if err=$(cp "$SRC/tiny.png" "$D/$name" 2>&1); then
        fail "a 255-byte image name was taken"
        return 1
    fi
    echo "    cp: ${err##*: }"
    [[ "$err" == *"File name too long"* ]] || fail "not ENAMETOOLONG: $err"
}
run_case "a 255-byte image name is refused at create" case_255_create
case_255_rename() {
    local name err
    name=$(long_stem 251).png
    fresh || return 1
    cp "$SRC/tiny.png" "$D/.tmp.png" || return 1
    if err=$(mv "$D/.tmp.png" "$D/$name" 2>&1); then
        fail "a 255-byte image name was taken by rename"
        return 1
    fi
    echo "    mv: ${err##*: }"
    [[ "$err" == *"File name too long"* ]] || fail "not ENAMETOOLONG: $err"
}
run_case "a 255-byte image name is refused at rename" case_255_rename

# control_name LABEL NAME ESCAPED: an image so named renders; a broken one
# fails, and the daemon's warning shows its name escaped, on one line.
control_name() {
    job_in "$2.png" && succeeds "$D" "$2" || return 1
    echo "not an image" >"$D/$2-bad.png"
    expect_failed "$D" "$2-bad" 'is not an image' || return 1
    wait_for 5 grep -qF -- "$3-bad.png: " "$WORK/daemon.log" ||
        fail "no log line with the escaped name $3-bad.png"
}
run_case "a newline in a name" control_name nl $'new\nline' 'new\nline'
run_case "a tab in a name" control_name tab $'ta\tb' 'ta\tb'
run_case "control characters in a name" control_name ctl $'c\x01t\x1bl' \
    'c\x01t\x1bl'
case_log_one_line() {
    # Every line the daemon wrote is a whole log line or a library's.
    local bad
    bad=$(grep -vE '^(i2vfs: |\[|    )' "$WORK/daemon.log" | head -n 3)
    [ -z "$bad" ] || fail "log lines split: $bad"
}
run_case "log lines stay one line" case_log_one_line

# ---- symlinks ---------------------------------------------------------------
case_symlink_mount() { # TARGET
    local err
    fresh || return 1
    if err=$(ln -s "$1" "$D/link.jpg" 2>&1); then
        fail "symlink to $1 was made"
        return 1
    fi
    echo "    ln: ${err##*: }"
    [[ "$err" == *"Operation not permitted"* ]] || fail "not EPERM: $err"
}
run_case "symlink to /etc/passwd through the mount" case_symlink_mount \
    /etc/passwd
run_case "symlink climbing out through the mount" case_symlink_mount \
    ../../../../x.jpg

# Links made in the store directly (behind the mount's back): the engine
# never reads through one that leads out.
case_store_image_link() {
    fresh || return 1
    echo "$SMALL_REQUEST" >"$D/request.json"
    # Made under a hidden name, then renamed through the mount.
    ln -s /etc/passwd "$S/h$N/.passwd.jpg" || return 1
    mv "$D/.passwd.jpg" "$D/passwd.jpg" || fail "mv of the link" || return 1
    expect_failed "$D" passwd 'passwd\.jpg leads out of the store'
}
run_case "an image symlinked out in the store" case_store_image_link
case_store_asset_link() {
    fresh || return 1
    echo '{"duration": 1, "fps": 8, "resolution": "160x96", "providerOptions": {"local": {"imageTail": "end.png"}}}' \
        >"$D/request.json"
    ln -s /etc/hostname "$S/h$N/end.png" || return 1
    cp "$SRC/tiny.png" "$D/photo.png" &&
        expect_failed "$D" photo 'end\.png leads out of the store'
}
run_case "an imageTail symlinked out in the store" case_store_asset_link
case_store_request_link() {
    fresh || return 1
    ln -s /etc/passwd "$S/h$N/request.json" || return 1
    cp "$SRC/tiny.png" "$D/photo.png" &&
        expect_failed "$D" photo 'request\.json leads out of the store'
}
run_case "a request.json symlinked out in the store" case_store_request_link
case_store_dir_link() {
    fresh || return 1
    mkdir -p "$WORK/outside"
    echo "$SMALL_REQUEST" >"$WORK/outside/request.json"
    cp "$SRC/tiny.png" "$WORK/outside/secret.png"
    ln -s "$WORK/outside" "$S/h$N/away" || return 1
    cp "$SRC/tiny.png" "$D/photo.png"
    # photo.png is a job (no request.json here: defaults); nothing runs
    # under away/, and nothing is written outside the store.
    wait_for 60 state_in "$D/out/photo.json" succeeded failed ||
        fail "photo.png did not run" || return 1
    [ ! -e "$WORK/outside/out" ] || fail "a job ran outside the store"
}
run_case "a folder symlinked out in the store" case_store_dir_link

# ---- a flood of images --------------------------------------------------------
case_flood() {
    local d i fd0 fd1 rss0 rss1 t0 t1 done_n
    fresh || return 1
    d=$D
    echo '{"duration": 1, "fps": 1, "resolution": "16x16"}' >"$d/request.json"
    mkdir -p "$WORK/flood"
    python3 - "$WORK/flood" "$FLOOD" <<'PY' || return 1
import struct, sys, zlib
d, n = sys.argv[1], int(sys.argv[2])
def chunk(t, b):
    return struct.pack(">I", len(b)) + t + b + struct.pack(">I", zlib.crc32(t + b))
for i in range(n):
    # 16x16 RGB, a different colour each: no two share a job key.
    px = bytes([i % 256, (i // 256) % 256, 128]) * 16
    raw = b"".join(b"\0" + px for _ in range(16))
    data = (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    open("%s/f%05d.png" % (d, i), "wb").write(data)
PY
    fd0=$(fd_count)
    rss0=$(vm_kb VmRSS)
    cp "$WORK"/flood/*.png "$d/" || fail "cp of $FLOOD images failed" ||
        return 1
    # The mount keeps serving another folder meanwhile.
    probe_job || fail "another folder was not served during the flood" ||
        return 1
    t0=$(date +%s%N)
    ls "$d/out" >/dev/null || return 1
    t1=$(date +%s%N)
    echo "    ls out/ during the flood: $(((t1 - t0) / 1000000)) ms"
    [ $(((t1 - t0) / 1000000)) -lt 5000 ] || fail "ls out/ took too long" ||
        return 1
    all_done() {
        [ "$(ls "$d/out" | grep -c '\.mp4$')" -ge "$FLOOD" ]
    }
    wait_for $((60 + FLOOD)) all_done ||
        fail "$(ls "$d/out" | grep -c '\.mp4$') of $FLOOD videos" || return 1
    done_n=$(grep -l '"state": "succeeded"' "$d"/out/*.json | wc -l)
    fd1=$(fd_count)
    rss1=$(vm_kb VmRSS)
    echo "    $done_n of $FLOOD succeeded; fds $fd0 -> $fd1; VmRSS $rss0 -> $rss1 kB; VmHWM $(vm_kb VmHWM) kB"
    [ "$done_n" -eq "$FLOOD" ] || fail "only $done_n succeeded" || return 1
    [ "$fd1" -le $((fd0 + 20)) ] || fail "fds grew" || return 1
    [ "$rss1" -lt "$RSS_LIMIT_KB" ] || fail "VmRSS $rss1 kB"
}
run_case "$FLOOD images dropped at once" case_flood

run_case "a probe job still succeeds" probe_job
finish
