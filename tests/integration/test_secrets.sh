#!/bin/bash
# Secrets and access. With distinctive keys for every route (gateway, Kling
# access/secret keys, Krea, Blob), given through the environment and then
# through a config file, cloud jobs run through the fakes with -d (debug
# log), and no key, no JWT the daemon minted and no Blob token appears in:
# any file under the mount (records, README.txt, MODEL.md …), the store,
# the daemon's stdout and stderr, its command line, the command line and
# environment of any child, or what a crash (SIGSEGV, SIGABRT) prints or
# dumps (the daemon makes itself non-dumpable: no core file is written).
# The config file is refused, by the daemon's own exit and message, unless
# it is a regular file of mode 0600 owned by the user. Downloads follow
# http(s) redirects only, up to a limit: a redirect to file://, to ftp://
# or in a loop fails the job clearly and writes nothing outside staging.
# (allow_other without default_permissions: test_posix.sh.)
. "$(dirname "$0")/cloud_lib.sh"
need_cloud
start_all_fakes || exit 1
mkdir -p "$WORK/cores" "$WORK/config"
OUT=$WORK/daemon.out
N=0
REC=$WORK/rec.json
GK=gateway/klingai/kling-v2.6-i2v
GW=gateway/alibaba/wan-v2.6-i2v
KL=kling/kling-v2-6
KR=krea/kling/kling-2.5
CONFIG=$WORK/config/i2vfs.json
JWT_RE='eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}'

# start_secret_mount MODE [daemon args…]: MODE "env" gives the keys through
# the environment, "config" only through $CONFIG. Debug log on (-d), stdout
# to $OUT, stderr to daemon.log; the daemon runs in $WORK/cores with core
# dumps allowed (ulimit -c unlimited), so that a crash would leave a core
# file there if core_pattern is a plain file name.
start_secret_mount() {
    local mode=$1
    shift
    local -a envs=(
        XDG_CONFIG_HOME="$WORK/config"
        I2VFS_GATEWAY_URL="${FAKE_URL[gateway]}"
        I2VFS_KLING_URL="${FAKE_URL[kling]}"
        I2VFS_KREA_URL="${FAKE_URL[krea]}"
        I2VFS_BLOB_URL="${FAKE_URL[blob]}"
        I2VFS_POLL_MS=20
        I2VFS_RETRY_BASE_MS=20
    )
    if [ "$mode" = env ]; then
        envs+=(AI_GATEWAY_API_KEY="$GATEWAY_KEY" KLINGAI_ACCESS_KEY="$KLING_AK"
            KLINGAI_SECRET_KEY="$KLING_SK" KREA_API_KEY="$KREA_KEY"
            BLOB_READ_WRITE_TOKEN="$BLOB_TOKEN")
    fi
    (
        cd "$WORK/cores" && ulimit -c unlimited 2>/dev/null
        exec env -u AI_GATEWAY_API_KEY -u KLINGAI_API_KEY -u KLINGAI_ACCESS_KEY \
            -u KLINGAI_SECRET_KEY -u KLING_ACCESS_KEY -u KLING_SECRET_KEY \
            -u KREA_API_KEY -u BLOB_READ_WRITE_TOKEN -u VERCEL_BLOB_API_URL \
            "${envs[@]}" "$I2VFS_BIN" -d --store "$STORE" "$@" "$MNT"
    ) >>"$OUT" 2>>"$WORK/daemon.log" &
    DAEMON_PID=$!
    wait_for 20 mountpoint -q "$MNT" && wait_for 20 cloud_ready || {
        echo "mount did not come up"
        tail -n 20 "$WORK/daemon.log"
        return 1
    }
}

# drop FOLDER: a new job in a new subfolder (image size unique per job,
# since uploads are reused by content); sets D.
drop() {
    N=$((N + 1))
    D=$MNT/$1/secret-$N
    mkdir -p "$D" && echo '{"prompt": "a cat, secrets case '$N'", "duration": 5}' >"$D/request.json" &&
        make_image "$D/photo.png" "$((700 + 2 * N))x320"
}

# jobs_on_every_route: one job per route and key, each succeeded.
jobs_on_every_route() {
    local f dirs=()
    for f in $GK $GW $KL $KR; do
        drop "$f" || return 1
        dirs+=("$D")
    done
    for D in "${dirs[@]}"; do
        succeeded "$D" photo || return 1
    done
    # The Kling jobs really carried JWTs, and Blob got its token.
    fake_requests kling "$REC" && python3 - "$REC" <<'PY' || fail "no JWT reached the Kling fake"
import json, sys
subs = [r for r in json.load(open(sys.argv[1])) if r["method"] == "POST"]
assert subs and all(r["headers"].get("authorization-sha256") and r["status"] == 200 for r in subs)
PY
}

# jwt_hashes: the sha256 of every credential the Kling fake verified.
jwt_hashes() {
    fake_requests kling "$REC" && python3 -c '
import json, sys
for r in json.load(open(sys.argv[1])):
    h = r["headers"].get("authorization-sha256")
    if h: print(h)' "$REC" | sort -u >>"$WORK/jwt.sha"
}

# leaks LABEL PATH…: fails when a key, the Blob token, or any JWT-shaped
# string (a minted token: its hash is checked against what Kling got)
# appears in the files (recursively).
leaks() {
    local label=$1 hit found=0 i
    local -a names=(AI_GATEWAY_API_KEY KLINGAI_ACCESS_KEY KLINGAI_SECRET_KEY
        KREA_API_KEY BLOB_READ_WRITE_TOKEN)
    shift
    for i in "${!SECRETS[@]}"; do
        hit=$(grep -rlaF -- "${SECRETS[$i]}" "$@" 2>/dev/null | head -3)
        if [ -n "$hit" ]; then
            fail "$label: the value of ${names[$i]} is in $hit"
            found=1
        fi
    done
    while read -r hit; do
        [ -n "$hit" ] || continue
        local sha
        sha=$(printf '%s' "${hit#*:}" | sha256sum | cut -d' ' -f1)
        if grep -qx "$sha" "$WORK/jwt.sha" 2>/dev/null; then
            fail "$label: a JWT sent to Kling is in ${hit%%:*}"
        else
            fail "$label: a JWT-shaped string is in ${hit%%:*}"
        fi
        found=1
    done < <(grep -rhoaE -- "$JWT_RE" "$@" 2>/dev/null | sed 's/^/file:/' | head -3)
    [ $found = 0 ]
}

# children_clean: no key in the command line or environment of any child
# of the daemon (there may be none), nor in the daemon's command line.
children_clean() {
    local pid kids=() f
    for f in /proc/[0-9]*/status; do
        pid=${f#/proc/}
        pid=${pid%/status}
        [ "$(awk '/^PPid:/ { print $2 }' "$f" 2>/dev/null)" = "$DAEMON_PID" ] && kids+=("$pid")
    done
    log "children of the daemon: ${#kids[@]}"
    mkdir -p "$WORK/proc"
    tr '\0' '\n' <"/proc/$DAEMON_PID/cmdline" >"$WORK/proc/daemon.cmdline"
    for pid in "${kids[@]}"; do
        tr '\0' '\n' <"/proc/$pid/cmdline" >"$WORK/proc/$pid.cmdline" 2>/dev/null
        tr '\0' '\n' <"/proc/$pid/environ" >"$WORK/proc/$pid.environ" 2>/dev/null
    done
    leaks "/proc" "$WORK/proc"
}

case_nothing_in_mount() {
    # Read every file the mount shows (README.txt, MODEL.md, records …).
    [ -f "$MNT/README.txt" ] && [ -f "$MNT/$KL/MODEL.md" ] || fail "no README.txt or MODEL.md" || return 1
    leaks mount "$MNT"
}
case_nothing_in_store() { leaks store "$STORE"; }
case_nothing_in_logs() {
    grep -q 'debug' "$WORK/daemon.log" "$OUT" || fail "no debug line: was -d on?" || return 1
    leaks "daemon output" "$OUT" "$WORK/daemon.log"
}

# crash SIGNAL: the daemon killed by SIGNAL prints nothing secret and
# leaves no core file (a core would hold the keys: the daemon is
# non-dumpable); then it is started again in MODE $MODE.
crash() {
    local sig=$1 pattern status
    pattern=$(cat /proc/sys/kernel/core_pattern 2>/dev/null)
    kill -"$sig" "$DAEMON_PID"
    wait "$DAEMON_PID" 2>/dev/null
    status=$?
    DAEMON_PID=""
    fusermount3 -u -z "$MNT" 2>/dev/null
    # Killed by the signal (> 128), or status 1 when a sanitizer caught it
    # and printed its report: either way, what it printed is checked.
    [ "$status" -ne 0 ] || fail "the daemon survived SIG$sig (status $status)" || return 1
    leaks "crash output (SIG$sig)" "$OUT" "$WORK/daemon.log" "$WORK/cores" || return 1
    case $pattern in
        /* | "|"*)
            log "core_pattern is '$pattern' (system-wide, not changed here): core files not checked; the daemon sets PR_SET_DUMPABLE 0" ;;
        *)
            local cores
            cores=$(find "$WORK/cores" -type f | head -3)
            [ -z "$cores" ] || fail "SIG$sig left a core file: $cores" || return 1 ;;
    esac
    start_secret_mount "$MODE" "${MODE_ARGS[@]}"
}

# The whole check for one way of giving the keys.
check_mode() { # MODE LABEL [daemon args…]
    MODE=$1
    local label=$2
    shift 2
    MODE_ARGS=("$@")
    fake_reset_all
    if ! start_secret_mount "$MODE" "$@"; then
        run_case "$label: daemon starts" false
        return
    fi
    run_case "$label: a job on every route succeeds (-d)" jobs_on_every_route
    jwt_hashes
    run_case "$label: no key or JWT in any file under the mount" case_nothing_in_mount
    run_case "$label: none in the store" case_nothing_in_store
    run_case "$label: none in the daemon's stdout or stderr (debug)" case_nothing_in_logs
    run_case "$label: none in the daemon's or children's cmdline/environ" children_clean
    run_case "$label: SIGSEGV: nothing in what it printed, no core" crash SEGV
    run_case "$label: SIGABRT: nothing in what it printed, no core" crash ABRT
    # Resumed after the crashes: one more job, and still nothing anywhere.
    run_case "$label: after the crashes, a job succeeds and nothing leaked" \
        eval 'drop $KL && succeeded "$D" photo && jwt_hashes && leaks all "$MNT" "$STORE" "$OUT" "$WORK/daemon.log"'
    stop_daemon
}

write_config() { # MODE
    cat >"$CONFIG" <<EOF
{
  "gateway": { "api_key": "$GATEWAY_KEY" },
  "kling": { "access_key": "$KLING_AK", "secret_key": "$KLING_SK" },
  "krea": { "api_key": "$KREA_KEY" },
  "blob": { "api_key": "$BLOB_TOKEN" }
}
EOF
    chmod "$1" "$CONFIG"
}

check_mode env "keys in the environment"
write_config 600
check_mode config "keys in a 0600 config file" --config "$CONFIG"

# refused WHY: the daemon given $CONFIG exits non-zero, without mounting,
# and says why in one line naming the file and 0600, with no key in it.
refused() {
    local log=$WORK/refused.log rc
    : >"$log"
    env -u AI_GATEWAY_API_KEY -u KLINGAI_ACCESS_KEY -u KLINGAI_SECRET_KEY \
        -u KREA_API_KEY -u BLOB_READ_WRITE_TOKEN \
        timeout 20 "$I2VFS_BIN" -f --store "$STORE" --config "$CONFIG" "$MNT" >"$log" 2>&1
    rc=$?
    if mountpoint -q "$MNT"; then
        fusermount3 -u "$MNT"
        fail "$1: the daemon mounted" || return 1
    fi
    [ $rc -ne 0 ] && [ $rc -ne 124 ] || fail "$1: exit status $rc" || return 1
    grep -q "0600" "$log" && grep -qF "$CONFIG" "$log" ||
        fail "$1: unclear message: $(cat "$log")" || return 1
    log "$1: $(grep -F "$CONFIG" "$log" | head -1)"
    leaks "refusal message" "$log"
}
case_config_0644() { write_config 644 && refused "mode 0644"; }
case_config_0640() { write_config 640 && refused "mode 0640"; }
case_config_symlink() {
    write_config 600 && mv "$CONFIG" "$CONFIG.real" && ln -s "$CONFIG.real" "$CONFIG" &&
        refused "a symbolic link"
    local rc=$?
    rm -f "$CONFIG" && mv "$CONFIG.real" "$CONFIG"
    return $rc
}
case_config_owner() {
    write_config 600 && chown 65534 "$CONFIG" && refused "owned by another user"
    local rc=$?
    chown "$(id -u)" "$CONFIG"
    return $rc
}
run_case "config file of mode 0644: the daemon refuses it, saying 0600" case_config_0644
run_case "config file of mode 0640: refused" case_config_0640
run_case "config file that is a symlink: refused" case_config_symlink
if [ "$(id -u)" = 0 ]; then
    run_case "config file owned by another user: refused" case_config_owner
else
    log "not root: the other-owner case needs chown (tests/unit/test_config.c covers it)"
fi

# ---- redirects of the result download ----
# redirect_case LOCATION WORDS…: the Kling fake answers the video download
# with a 302 to LOCATION, always; the job fails naming the problem, and
# nothing but the job's record and the engine's own folder changed.
redirect_case() {
    local where=$1
    shift
    fake_reset_all
    fake_ctl kling POST faults '[{"path":"/files/","fault":"redirect","location":"'"$where"'","times":-1}]' >/dev/null &&
        drop $KL || return 1
    local mark=$WORK/mark
    touch "$mark"
    failed_with "$D" photo "$@" || return 1
    # Nothing new in the store but the job's record and the engine's own
    # folder (staging), nothing in the daemon's working directory.
    local stray
    stray=$(find "$STORE" "$WORK/cores" -newer "$mark" -type f | grep -v -e "^$STORE/\.i2vfs/" \
        -e "^$STORE/$KL/secret-$N/out/photo\.json$" | head -5)
    [ -z "$stray" ] || fail "written outside staging: $stray" || return 1
    grep -rqF "root:x:0:0" "$STORE" "$MNT/$KL" 2>/dev/null && fail "/etc/passwd was copied" && return 1
    log "redirect to $where: $(record_field "$D/out/photo.json" error)"
}
case_redirect_once() {
    fake_reset_all
    fake_ctl kling POST faults '[{"path":"/files/","fault":"redirect","location":"self","times":1}]' >/dev/null &&
        drop $KL && succeeded "$D" photo
}
MODE=config
MODE_ARGS=(--config "$CONFIG")
write_config 600
if start_secret_mount config --config "$CONFIG"; then
    run_case "a download redirected once over http: followed, succeeded" case_redirect_once
    run_case "a download redirected to file:///etc/passwd: failed, nothing written" redirect_case file:///etc/passwd download
    run_case "a download redirected to ftp://: failed, nothing written" redirect_case "ftp://127.0.0.1/video.mp4" download
    run_case "a download redirected in a loop: failed after the limit" redirect_case self download redirect
    run_case "no key or JWT anywhere after the redirect cases" \
        eval 'jwt_hashes && leaks all "$MNT" "$STORE" "$OUT" "$WORK/daemon.log"'
else
    run_case "daemon starts for the redirect cases" false
fi
finish
