#!/bin/bash
# Each fault the fakes inject ends in its documented outcome: 429 (with
# Retry-After or retry-after-ms), 5xx, dropped and cut connections are
# retried with the same idempotency key and the job succeeds (a submit whose
# reply was cut makes one task, not two); a failed task is a failed record
# quoting the provider; a task that never ends times out; a truncated,
# corrupt or missing download never leaves half a video in out/; an expired
# Kling JWT is a 401 with Kling's message; a restart mid-job resumes it;
# missing keys name the variable to set and send nothing. No secret in the
# mount, the store or the log.
. "$(dirname "$0")/cloud_lib.sh"
need_cloud
start_all_fakes || exit 1
start_cloud_mount || exit 1
wait_for 20 cloud_ready || {
    echo "FAIL the mount shows no cloud model folders"
    exit 1
}
N=0
REC=$WORK/rec.json
GK=gateway/klingai/kling-v2.6-i2v
KL=kling/kling-v2-6
KR=krea/kling/kling-2.5
# Each case asks something new (@N@ is the case number): the engine never
# submits the same image with the same request twice.
REQ='{"prompt": "a cat, case @N@", "duration": 5}'

# faulty FAKE FAULTS_JSON FOLDER [REQUEST]: resets the fakes, arms the
# faults (and the config $FAKE_CONFIG, if set), drops photo.png (of a size
# no other case uses: uploads are reused by content) in a new subfolder of
# FOLDER; sets D to it.
faulty() {
    N=$((N + 1))
    D=$MNT/$3/fault-$N
    fake_reset_all
    fake_ctl "$1" POST faults "$2" >/dev/null || return 1
    if [ -n "${FAKE_CONFIG:-}" ]; then
        fake_ctl "$1" POST config "$FAKE_CONFIG" >/dev/null || return 1
    fi
    local req=${4:-$REQ}
    mkdir -p "$D" && echo "${req//@N@/$N}" >"$D/request.json" &&
        make_image "$D/photo.png" "$((480 + 2 * N))x320"
}

# used_up FAKE: every armed fault rule was used at least once.
used_up() {
    fake_ctl "$1" GET faults | python3 -c '
import json, sys
rules = json.load(sys.stdin)
left = [r for r in rules if not r.get("_used")]
sys.exit(1 if left else 0)' || fail "a fault was never hit: $(fake_ctl "$1" GET faults)"
}

# gap FAKE PATH_SUFFIX MIN_SECONDS: the first two requests whose path ends
# with PATH_SUFFIX are at least MIN_SECONDS apart and, when they carry an
# idempotency-key, carry the same one.
gap() {
    fake_requests "$1" "$REC" && python3 - "$REC" "$2" "$3" <<'PY' || fail "retry timing or key"
import json, sys
recs = [r for r in json.load(open(sys.argv[1])) if r["path"].split("?")[0].endswith(sys.argv[2])]
assert len(recs) >= 2, "%d request(s)" % len(recs)
d = recs[1]["time"] - recs[0]["time"]
assert d >= float(sys.argv[3]), "retried after %.3f s" % d
k = [r["headers"].get("idempotency-key") for r in recs[:2]]
assert k[0] == k[1], "idempotency-key changed on retry: %s" % k
PY
}

case_429_retry_after() {
    faulty gateway '[{"path":"/","method":"POST","status":429,"retry_after":"1"}]' $GK &&
        succeeded "$D" photo && used_up gateway && gap gateway /video-model/start 0.9 || return 1
    # The job's idempotency-key is kept in its record (reused after a restart).
    local key
    key=$($CHECK headers "$REC" /video-model/start idempotency-key | sed -n 1p)
    [ -z "$key" ] && key=$($CHECK headers "$REC" /v4/ai/video-model/start idempotency-key | sed -n 1p)
    [ -n "$key" ] && grep -qF -- "$key" "$D/out/photo.json" ||
        fail "idempotency-key '$key' not in the record"
}
case_429_retry_after_ms() {
    faulty kling '[{"path":"/v1/videos/image2video","method":"POST","status":429,"retry_after_ms":"400"}]' $KL &&
        succeeded "$D" photo && used_up kling && gap kling /v1/videos/image2video 0.35
}
case_500_on_poll() {
    faulty kling '[{"path":"/v1/videos/image2video/","method":"GET","status":500,"times":2}]' $KL &&
        succeeded "$D" photo && used_up kling
}
case_503_on_submit() {
    faulty krea '[{"path":"/generate/","status":503}]' $KR && succeeded "$D" photo && used_up krea
}
case_502_on_upload() {
    faulty krea '[{"path":"/assets","status":502}]' $KR && succeeded "$D" photo && used_up krea
}
case_drop_on_status() {
    faulty gateway '[{"path":"*/video-model/status","fault":"drop"}]' $GK && succeeded "$D" photo &&
        used_up gateway
}
case_reset_mid_body_on_poll() {
    faulty kling '[{"path":"/v1/videos/image2video/","method":"GET","fault":"reset_mid_body"}]' $KL &&
        succeeded "$D" photo && used_up kling
}
case_slow_reply() {
    faulty gateway '[{"path":"/","fault":"slow","seconds":1}]' $GK && succeeded "$D" photo &&
        used_up gateway
}
case_malformed_reply() {
    faulty krea '[{"path":"/jobs/","fault":"malformed_json"}]' $KR && job_done "$D" photo &&
        used_up krea || return 1
    # Either retried to success or failed saying the reply was bad; never a
    # crash, never half a video.
    if state_is "$D/out/photo.json" succeeded; then mp4_ok "$D/out/photo.mp4"; else [ ! -e "$D/out/photo.mp4" ]; fi
}

run_case "429 with Retry-After: retried after it, same idempotency-key, succeeded" case_429_retry_after
run_case "429 with retry-after-ms: retried after it, succeeded" case_429_retry_after_ms
run_case "500 twice on a poll: retried, succeeded" case_500_on_poll
run_case "503 on a submit: retried, succeeded" case_503_on_submit
run_case "502 on the Krea asset upload: retried, succeeded" case_502_on_upload
run_case "dropped connection: retried, succeeded" case_drop_on_status
# The gateway made the job but the start reply was cut: the retry carries
# the same idempotency-key and gets the same operation back.
case_cut_gateway_start() {
    faulty gateway '[{"path":"*/video-model/start","fault":"reset_mid_body"}]' $GK &&
        succeeded "$D" photo && used_up gateway && gap gateway /video-model/start 0
}
run_case "gateway start reply cut: retried with the same idempotency-key, succeeded" case_cut_gateway_start
# Kling got the submit and made the task, but its reply was cut: the retry
# carries the same external_task_id, which Kling refuses as a duplicate
# (it must be unique per account); the job must still end with the video of
# the task that exists, which GET /v1/videos/image2video/{external_task_id}
# finds.
case_cut_kling_submit() {
    faulty kling '[{"path":"/v1/videos/image2video","method":"POST","fault":"reset_mid_body"}]' $KL &&
        succeeded "$D" photo && used_up kling || return 1
    fake_ctl kling GET requests | python3 -c '
import json, sys
made = [r for r in json.load(sys.stdin)
        if r["method"] == "POST" and r["path"] == "/v1/videos/image2video" and r["status"] == 200]
assert len(made) == 1, "%d tasks" % len(made)' || fail "not exactly one Kling task for one job"
}
run_case "Kling submit reply cut after the task was made: one task, succeeded" case_cut_kling_submit
# Deleting out/photo.json lets the image run again (DESIGN.md); Kling
# refuses an external_task_id it has seen, so the new run must not reuse the
# old run's.
case_kling_run_again() {
    faulty kling '[]' $KL && succeeded "$D" photo || return 1
    rm "$D/out/photo.json" "$D/out/photo.mp4" && touch "$D/photo.png" || return 1
    wait_for 30 test -e "$D/out/photo.json" || fail "no new record" || return 1
    succeeded "$D" photo
}
run_case "Kling job run again after rm out/photo.json: succeeded" case_kling_run_again
run_case "reply cut mid-body: retried, succeeded" case_reset_mid_body_on_poll
run_case "slow reply: succeeded" case_slow_reply
run_case "malformed JSON reply: handled, no half video" case_malformed_reply

case_task_failed() { # FAKE FOLDER PATH MESSAGE
    faulty "$1" '[{"path":"'"$3"'","fault":"task_failed","message":"'"$4"'"}]' "$2" &&
        failed_with "$D" photo "$4" && used_up "$1"
}
run_case "gateway task error: failed, quoting the gateway" case_task_failed gateway $GK / "Upstream rejected the image"
run_case "kling task failed: failed, quoting task_status_msg" case_task_failed kling $KL /v1/videos/image2video "Content policy violation"
run_case "krea job failed: failed, quoting the job" case_task_failed krea $KR /generate/ "Generation failed: NSFW"

case_never_finish() {
    faulty kling '[{"path":"/v1/videos/image2video","fault":"never_finish"}]' $KL \
        '{"prompt": "a cat, case @N@", "duration": 5, "providerOptions": {"klingai": {"pollTimeoutMs": 1000}}}' &&
        failed_with "$D" photo time
}
run_case "never-finishing task with pollTimeoutMs 1000: failed, timed out" case_never_finish

# download_fault KIND TIMES: out/ never holds half a video; the job ends
# succeeded with the whole video, or failed with none.
download_fault() {
    faulty kling '[{"path":"/files/","fault":"'"$1"'","times":'"$2"'}]' $KL || return 1
    local rec=$D/out/photo.json vid=$D/out/photo.mp4 deadline=$((SECONDS + 60))
    while ! state_in "$rec" succeeded failed canceled 2>/dev/null; do
        if [ -e "$vid" ]; then
            mp4_ok "$vid" || fail "half a video in out/ while the job runs" || return 1
        fi
        [ $SECONDS -lt $deadline ] || fail "no terminal record" || return 1
        sleep 0.02
    done
    used_up kling || return 1
    if state_is "$rec" succeeded; then
        [ "$2" -lt 5 ] || fail "succeeded although every download was bad" || return 1
        mp4_ok "$vid"
    else
        [ ! -e "$vid" ] || fail "a video beside a failed record"
    fi
}
run_case "download connection cut once: no half video, retried or failed" download_fault reset_mid_body 1
run_case "truncated download once: no half video, retried or failed" download_fault truncate 1
run_case "truncated download always: failed, no video" download_fault truncate 50
run_case "corrupt download always: failed, no video" download_fault corrupt 50
run_case "result URL 404 always: failed, no video" download_fault result_404 50

case_expired_jwt() {
    FAKE_CONFIG='{"clock_skew": 3600}' faulty kling '[]' $KL || return 1
    failed_with "$D" photo expired
    local rc=$?
    fake_ctl kling POST config '{"clock_skew": 0}' >/dev/null
    [ $rc -eq 0 ] && fake_requests kling "$REC" &&
        [ "$($CHECK count "$REC" POST /v1/videos/image2video)" -ge 1 ] || fail "no submit was tried"
}
run_case "expired Kling JWT (the fake's clock 1 h ahead): failed with Kling's 401 message" case_expired_jwt

run_case "no secret in the mount or the daemon log" no_secrets

restart_without() {
    stop_daemon
    start_cloud_mount "$@" && wait_for 20 cloud_ready
}

# A daemon stopped while the provider works resumes the task: no second
# submit, the video arrives.
case_restart_mid_job() {
    FAKE_CONFIG='{"delay_polls": 50}' faulty kling '[]' $KL || return 1
    wait_for 30 state_is "$D/out/photo.json" running || fail "never running" || return 1
    restart_without || fail "restart" || return 1
    succeeded "$D" photo || return 1
    fake_requests kling "$REC" && [ "$($CHECK count "$REC" POST /v1/videos/image2video)" = 1 ] ||
        fail "submitted $($CHECK count "$REC" POST /v1/videos/image2video) times"
}
run_case "daemon restarted mid-job: resumes polling, one submit, succeeded" case_restart_mid_job

# Without a Blob token, a local image for a URL-only model fails saying
# what to set; a URL image still runs.

nothing_sent() {
    local name n
    for name in "$@"; do
        n=$(fake_count "$name" "" /) || return 1
        [ "$n" = 0 ] || fail "$name received $n request(s)" || return 1
    done
}

case_no_blob_token() { # FOLDER
    faulty blob '[]' "$1" && failed_with "$D" photo BLOB_READ_WRITE_TOKEN && nothing_sent gateway blob
}
case_no_blob_token_url() {
    local d=$MNT/gateway/xai/grok-imagine-video/url-$N
    fake_reset_all
    mkdir -p "$d" && cp "$FIXTURES/seeds/gateway/xai-grok-imagine-video/1.json" "$d/clip.json" &&
        succeeded "$d" clip && nothing_sent blob
}
if restart_without BLOB_READ_WRITE_TOKEN=; then
    run_case "no Blob token, local image, Wan: failed naming BLOB_READ_WRITE_TOKEN, nothing sent" case_no_blob_token gateway/alibaba/wan-v2.6-i2v
    run_case "no Blob token, local image, Grok: same" case_no_blob_token gateway/xai/grok-imagine-video
    run_case "no Blob token, local image, Seedance: same" case_no_blob_token gateway/bytedance/seedance-v1.5-pro
    run_case "no Blob token, URL image: runs" case_no_blob_token_url
else
    run_case "daemon restarts without BLOB_READ_WRITE_TOKEN" false
fi

case_no_key() { # FOLDER WORD
    faulty gateway '[]' "$1" && failed_with "$D" photo "$2" && nothing_sent gateway kling krea blob
}
if restart_without AI_GATEWAY_API_KEY= KLINGAI_ACCESS_KEY= KLINGAI_SECRET_KEY= KREA_API_KEY= BLOB_READ_WRITE_TOKEN=; then
    run_case "no AI_GATEWAY_API_KEY: failed saying so, nothing sent" case_no_key $GK AI_GATEWAY_API_KEY
    run_case "no Kling keys: failed naming KLINGAI_, nothing sent" case_no_key $KL KLINGAI_
    run_case "no KREA_API_KEY: failed saying so, nothing sent" case_no_key $KR KREA_API_KEY
else
    run_case "daemon restarts without keys" false
fi
run_case "no secret in the mount or the daemon log (after restarts)" no_secrets
finish
