# Helpers for the cloud tests: the fake servers of tests/fake/ and the daemon
# pointed at them. Source it instead of lib.sh (it sources lib.sh); its trap
# stops the fakes, then does lib.sh's cleanup.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FAKE_DIR=$(realpath "$(dirname "${BASH_SOURCE[0]}")/../fake")
FIXTURES=$(realpath "$(dirname "${BASH_SOURCE[0]}")/../fixtures")
CHECK="python3 $FAKE_DIR/check.py"
JOBTOOL="python3 $FAKE_DIR/jobtool.py"
CATALOG=$(realpath "$(dirname "${BASH_SOURCE[0]}")/../../providers/catalog.json")
declare -A FAKE_URL FAKE_PID

# Fresh secrets per run, so that a grep for them finds only leaks.
SALT=$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
GATEWAY_KEY=gwkey-$SALT-SECRET
KLING_AK=klingak-$SALT-SECRET
KLING_SK=klingsk-$SALT-SECRET
KREA_KEY=kreakey-$SALT-SECRET
BLOB_TOKEN=vercel_blob_rw_$SALT-SECRET
SECRETS=("$GATEWAY_KEY" "$KLING_AK" "$KLING_SK" "$KREA_KEY" "$BLOB_TOKEN")

# need_cloud: FUSE, and cloud models enabled in the catalog (until the
# clients land they are "enabled": false; I2VFS_FORCE_CLOUD=1 runs anyway).
need_cloud() {
    need_fuse
    if [ -z "${I2VFS_FORCE_CLOUD:-}" ] && ! $JOBTOOL cloud-enabled "$CATALOG"; then
        echo "skip: no cloud model is enabled in providers/catalog.json yet"
        exit 77
    fi
}

stop_fakes() {
    local name
    for name in "${!FAKE_PID[@]}"; do
        kill "${FAKE_PID[$name]}" 2>/dev/null
        wait "${FAKE_PID[$name]}" 2>/dev/null
    done
    FAKE_PID=()
}

cloud_cleanup() {
    stop_daemon
    stop_fakes
    # A daemon that died leaves a dead mount that mountpoint(1) misses.
    fusermount3 -u -z "$MNT" 2>/dev/null
    cleanup
}
trap cloud_cleanup EXIT

# start_fake NAME API [run.py options…]: starts a fake and sets
# FAKE_URL[NAME] to its base URL.
start_fake() {
    local name=$1 api=$2
    shift 2
    python3 "$FAKE_DIR/run.py" "$api" "$@" >"$WORK/fake-$name.out" \
        2>"$WORK/fake-$name.err" &
    FAKE_PID[$name]=$!
    wait_for 30 grep -q '^PORT ' "$WORK/fake-$name.out" || {
        echo "fake $name did not start"
        cat "$WORK/fake-$name.err"
        return 1
    }
    FAKE_URL[$name]=http://127.0.0.1:$(sed -n 's/^PORT //p' "$WORK/fake-$name.out")
}

# start_all_fakes: gateway, kling (JWT), krea and blob with this run's keys.
start_all_fakes() {
    start_fake gateway gateway --key "$GATEWAY_KEY" &&
        start_fake kling kling --access-key "$KLING_AK" --secret-key "$KLING_SK" &&
        start_fake krea krea --key "$KREA_KEY" &&
        start_fake blob blob --key "$BLOB_TOKEN"
}

# fake_ctl NAME METHOD WHAT [JSON]: the control API of a fake (/_fake/WHAT).
fake_ctl() {
    local url=${FAKE_URL[$1]}/_fake/$3
    if [ $# -ge 4 ]; then
        curl -sS --max-time 10 -X "$2" -H 'Content-Type: application/json' \
            --data-binary "$4" "$url"
    else
        curl -sS --max-time 10 -X "$2" "$url"
    fi
}

# fake_requests NAME FILE: saves the recording of a fake into FILE.
fake_requests() {
    fake_ctl "$1" GET requests >"$2"
}

fake_reset_all() {
    local name
    for name in "${!FAKE_URL[@]}"; do
        fake_ctl "$name" POST reset >/dev/null
        fake_ctl "$name" POST config '{"delay_polls": 1, "clock_skew": 0, "inline_video": false}' >/dev/null
    done
}

# fake_count NAME [METHOD [PATH_PREFIX]]: how many requests the fake got
# (downloads of /files/ included only when PATH_PREFIX asks for them).
fake_count() {
    local f=$WORK/count.json
    fake_requests "$1" "$f" && $CHECK count "$f" "${2:-}" "${3:-}"
}

# start_cloud_mount [env assignments…]: mounts with every client pointed at
# the fakes and this run's keys; extra VAR=value words override or, as
# VAR=, remove a variable.
start_cloud_mount() {
    mkdir -p "$WORK/config"
    local -a envs=(
        XDG_CONFIG_HOME="$WORK/config"
        I2VFS_GATEWAY_URL="${FAKE_URL[gateway]}"
        I2VFS_KLING_URL="${FAKE_URL[kling]}"
        I2VFS_KREA_URL="${FAKE_URL[krea]}"
        I2VFS_BLOB_URL="${FAKE_URL[blob]}"
        VERCEL_BLOB_API_URL="${FAKE_URL[blob]}"
        AI_GATEWAY_API_KEY="$GATEWAY_KEY"
        KLINGAI_ACCESS_KEY="$KLING_AK"
        KLINGAI_SECRET_KEY="$KLING_SK"
        KREA_API_KEY="$KREA_KEY"
        BLOB_READ_WRITE_TOKEN="$BLOB_TOKEN"
        I2VFS_POLL_MS=20
        I2VFS_RETRY_BASE_MS=20
    )
    local -a unset_args=(-u KLINGAI_API_KEY -u KLING_ACCESS_KEY -u KLING_SECRET_KEY)
    local kv
    for kv in "$@"; do
        if [ "${kv#*=}" = "" ]; then
            unset_args+=(-u "${kv%=}")
            envs=("${envs[@]/#${kv}*/}")
        else
            envs+=("$kv")
        fi
    done
    local -a clean=()
    for kv in "${envs[@]}"; do
        [ -n "$kv" ] && clean+=("$kv")
    done
    env "${unset_args[@]}" "${clean[@]}" \
        "$I2VFS_BIN" -f --store "$STORE" "$MNT" 2>>"$WORK/daemon.log" &
    DAEMON_PID=$!
    wait_for 20 mountpoint -q "$MNT" || {
        echo "mount did not come up"
        cat "$WORK/daemon.log"
        return 1
    }
}

# cloud_ready: true when the mount shows the cloud routes (the engine
# engineer enables them in the catalog when the clients are in).
cloud_ready() {
    [ -d "$MNT/gateway/klingai/kling-v2.6-i2v" ] && [ -d "$MNT/kling/kling-v2-6" ] &&
        [ -d "$MNT/krea/kling/kling-2.5" ]
}

# Images: Kling wants at least 300 px on each side.
make_images() {
    make_image "$1/start.png" 480x320 && make_image "$1/end.png" 480x320 &&
        make_image "$1/photo.jpg" 480x320
}

# job_done DIR STEM [SECONDS]: waits for a terminal record.
job_done() {
    wait_for "${3:-60}" state_in "$1/out/$2.json" succeeded failed canceled
}

# succeeded DIR STEM: the job ends succeeded with a verified video.
succeeded() {
    job_done "$1" "$2" ||
        fail "$2: no terminal record (state $(record_field "$1/out/$2.json" state))" || return 1
    state_is "$1/out/$2.json" succeeded ||
        fail "$2: state $(record_field "$1/out/$2.json" state): $(record_field "$1/out/$2.json" error)" ||
        return 1
    mp4_ok "$1/out/$2.mp4"
}

# failed_with DIR STEM WORDS…: the job ends failed and its message holds
# every word (case-insensitive), and there is no video.
failed_with() {
    local dir=$1 stem=$2
    shift 2
    job_done "$dir" "$stem" || fail "$stem: no terminal record" || return 1
    state_is "$dir/out/$stem.json" failed ||
        fail "$stem: state $(record_field "$dir/out/$stem.json" state), expected failed" || return 1
    local msg w
    msg=$(record_field "$dir/out/$stem.json" error)
    for w in "$@"; do
        [[ "${msg,,}" == *"${w,,}"* ]] || fail "$stem: message lacks '$w': $msg" || return 1
    done
    [ ! -e "$dir/out/$stem.mp4" ] || fail "$stem: a video beside a failed record"
}

# mp4_ok FILE: FILE is the fakes' whole result video (H.264 160x96, 8
# frames): a half video with a good index still probes, with fewer frames.
mp4_ok() {
    local p
    p=$(probe "$1" 2>/dev/null) || fail "$1: not a readable video" || return 1
    read -r codec w h _ frames _ <<<"$p"
    [ "$codec" = h264 ] && [ "$w" = 160 ] && [ "$h" = 96 ] && [ "$frames" = 8 ] ||
        fail "$1: not the whole video: $p"
}

# states_seen DIR STEM SECONDS: prints the distinct states of the record, in
# order, watched until it is terminal.
states_seen() {
    local rec=$1/out/$2.json last="" s deadline=$((SECONDS + $3))
    while [ $SECONDS -lt $deadline ]; do
        s=$(record_field "$rec" state 2>/dev/null) || s=""
        if [ -n "$s" ] && [ "$s" != "$last" ]; then
            printf '%s ' "$s"
            last=$s
        fi
        case $s in succeeded | failed | canceled) break ;; esac
        sleep 0.01
    done
    echo
}

# in_order "WORDS" WANT…: every WANT appears in the space-separated WORDS,
# in this order (others may come between); a WANT may be "a|b".
in_order() {
    local -a words
    read -ra words <<<"$1"
    shift
    local i=0 w
    for w in "$@"; do
        while [ $i -lt ${#words[@]} ] && [[ "|$w|" != *"|${words[$i]}|"* ]]; do
            i=$((i + 1))
        done
        [ $i -lt ${#words[@]} ] || return 1
        i=$((i + 1))
    done
}

# no_secrets: none of this run's secrets in the mount or the daemon log.
no_secrets() {
    local s
    for s in "${SECRETS[@]}"; do
        if grep -rqF -- "$s" "$MNT" "$STORE" "$WORK/daemon.log" 2>/dev/null; then
            fail "secret found: $(grep -rlF -- "$s" "$MNT" "$STORE" "$WORK/daemon.log" | head -3)"
            return 1
        fi
    done
}

# tally: prints the count and fails when a case failed (no daemon case).
tally() {
    echo "$PASSED passed, $FAILED failed"
    [ "$FAILED" -eq 0 ]
}
