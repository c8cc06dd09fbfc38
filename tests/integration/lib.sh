# Shared helpers for the integration tests: start the daemon on a temporary
# mount or folder, wait with deadlines, probe videos, count cases.
# Source it; it sets a trap that unmounts and kills what it started.

set -u
I2VFS_BIN=${I2VFS_BIN:-build/i2vfs}
I2VFS_BIN=$(realpath "$I2VFS_BIN")
export I2VFS_QUIET_MS=${I2VFS_QUIET_MS:-150}
WORK=$(mktemp -d /tmp/i2vfs-test-XXXXXX)
STORE=$WORK/store
MNT=$WORK/mnt
DAEMON_PID=""
PASSED=0
FAILED=0
mkdir -p "$STORE" "$MNT"

log() { echo "# $*"; }

cleanup() {
    stop_daemon
    if mountpoint -q "$MNT" 2>/dev/null; then
        fusermount3 -u -z "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

need_fuse() {
    if [ ! -c /dev/fuse ] || ! command -v fusermount3 >/dev/null; then
        echo "skip: no /dev/fuse or fusermount3"
        exit 77
    fi
}

# wait_for SECONDS COMMAND…: polls COMMAND every 50 ms until it succeeds.
wait_for() {
    local deadline=$((SECONDS + $1))
    shift
    while ! "$@" 2>/dev/null; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            return 1
        fi
        sleep 0.05
    done
    return 0
}

# start_mount [extra args…]: mounts $STORE on $MNT in the foreground, in the
# background of this shell.
start_mount() {
    "$I2VFS_BIN" -f --store "$STORE" "$@" "$MNT" 2>>"$WORK/daemon.log" &
    DAEMON_PID=$!
    wait_for 20 mountpoint -q "$MNT" || {
        echo "mount did not come up"
        cat "$WORK/daemon.log"
        return 1
    }
}

# start_watch DIR: runs the hot-folder front end on DIR.
start_watch() {
    "$I2VFS_BIN" watch "$1" 2>>"$WORK/daemon.log" &
    DAEMON_PID=$!
    wait_for 20 test -f "$1/README.txt" || {
        echo "watch mode did not start"
        cat "$WORK/daemon.log"
        return 1
    }
}

# stop_daemon: unmounts (or sends SIGTERM in watch mode) and waits; sets
# DAEMON_RC to the daemon's exit status (a sanitizer report makes it non-zero).
DAEMON_RC=0
stop_daemon() {
    if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
        if mountpoint -q "$MNT" 2>/dev/null; then
            fusermount3 -u "$MNT" 2>/dev/null || kill "$DAEMON_PID"
        else
            kill "$DAEMON_PID"
        fi
        local deadline=$((SECONDS + 30))
        while kill -0 "$DAEMON_PID" 2>/dev/null && [ $SECONDS -lt $deadline ]; do
            sleep 0.05
        done
        kill -9 "$DAEMON_PID" 2>/dev/null
        wait "$DAEMON_PID" 2>/dev/null
        DAEMON_RC=$?
    fi
    DAEMON_PID=""
}

# crash_daemon: SIGKILL, as a crash or the OOM killer would.
crash_daemon() {
    kill -9 "$DAEMON_PID"
    wait "$DAEMON_PID" 2>/dev/null
    DAEMON_PID=""
}

# record_field FILE KEY: prints a top-level field of a job record
# (error prints its message).
record_field() {
    python3 - "$1" "$2" <<'PY'
import json, sys
try:
    rec = json.load(open(sys.argv[1]))
except Exception:
    sys.exit(1)
v = rec.get(sys.argv[2])
if sys.argv[2] == "error" and isinstance(v, dict):
    v = v.get("message")
print("" if v is None else v)
PY
}

# state_is FILE STATE: true when the record says STATE.
state_is() {
    [ "$(record_field "$1" state)" = "$2" ]
}

# state_in FILE STATE…: true when the record is in one of the states.
state_in() {
    local s
    s=$(record_field "$1" state) || return 1
    shift
    for want in "$@"; do
        [ "$s" = "$want" ] && return 0
    done
    return 1
}

# make_image PATH [WxH]: a detailed test picture, JPEG or PNG by extension.
make_image() {
    ffmpeg -nostdin -loglevel error -y -f lavfi \
        -i "testsrc2=size=${2:-320x240}:rate=1" -frames:v 1 "$1"
}

# probe FILE: prints "codec width height pix_fmt frames duration".
probe() {
    ffprobe -v error -select_streams v:0 -count_frames \
        -show_entries stream=codec_name,pix_fmt,width,height,nb_read_frames:format=duration \
        -of default=noprint_wrappers=1:nokey=1 "$1" | tr '\n' ' '
}

# A tiny clip keeps the suite fast: 1 s at 8 fps, 160x96.
SMALL_REQUEST='{"duration": 1, "fps": 8, "resolution": "160x96"}'

# run_case NAME FUNCTION: runs one case and counts it. Not in a subshell:
# a case may restart the daemon, and the script must keep track of it.
run_case() {
    local name=$1
    shift
    if "$@"; then
        PASSED=$((PASSED + 1))
        echo "ok   $name"
    else
        FAILED=$((FAILED + 1))
        echo "FAIL $name"
        tail -n 20 "$WORK/daemon.log" 2>/dev/null | sed 's/^/    daemon: /'
    fi
}

# finish: stops the daemon, counts its clean exit as one more case, prints
# the tally.
finish() {
    stop_daemon
    if [ "$DAEMON_RC" -eq 0 ]; then
        PASSED=$((PASSED + 1))
        echo "ok   the daemon exits cleanly (status 0)"
    else
        FAILED=$((FAILED + 1))
        echo "FAIL the daemon exits cleanly (status $DAEMON_RC)"
        tail -n 30 "$WORK/daemon.log" | sed 's/^/    daemon: /'
    fi
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
}

# fail MESSAGE: prints why and returns false (use as: cond || fail "…").
fail() {
    echo "    $*"
    return 1
}
