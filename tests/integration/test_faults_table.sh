#!/bin/bash
# Every fault of issue 4 injected through the fakes, one job per fault, and
# its documented outcome checked: retried then succeeded, backed off (as
# long as the provider asked), or failed with a record that names the
# fault. Prints a table: fault | provider | outcome | jobs lost. A job is
# lost when it neither succeeded with the whole video nor ended failed with
# a message naming the fault; the table's total must be 0.
#
# The daemon runs with I2VFS_HTTP_TIMEOUT_MS=1500 so that a stall past the
# timeout takes seconds, not the default minute.
. "$(dirname "$0")/cloud_lib.sh"
need_cloud
start_all_fakes || exit 1
HTTP_TIMEOUT_MS=1500
start_cloud_mount I2VFS_HTTP_TIMEOUT_MS=$HTTP_TIMEOUT_MS || exit 1
wait_for 20 cloud_ready || {
    echo "FAIL the mount shows no cloud model folders"
    exit 1
}
N=0
REC=$WORK/rec.json
TABLE=$WORK/table.tsv
LOST_TOTAL=0
: >"$TABLE"
GK=gateway/klingai/kling-v2.6-i2v
KL=kling/kling-v2-6
KR=krea/kling/kling-2.5
# A new prompt per case: the engine never runs the same request twice.
REQ='{"prompt": "a cat, table case @N@", "duration": 5}'

# arm FAKE FAULTS_JSON FOLDER [REQUEST]: resets the fakes, arms the faults
# (and $FAKE_CONFIG, if set) and drops photo.png, of a size no other case
# uses (uploads are reused by content), in a new subfolder; sets D.
arm() {
    N=$((N + 1))
    D=$MNT/$3/table-$N
    fake_reset_all
    fake_ctl "$1" POST faults "$2" >/dev/null || return 1
    if [ -n "${FAKE_CONFIG:-}" ]; then
        fake_ctl "$1" POST config "$FAKE_CONFIG" >/dev/null || return 1
    fi
    local req=${4:-$REQ}
    mkdir -p "$D" && echo "${req//@N@/$N}" >"$D/request.json" &&
        make_image "$D/photo.png" "$((600 + 2 * N))x320"
}

# hits FAKE METHOD PATH_PART: "COUNT MAX_GAP_S" of the recorded requests
# whose path contains PATH_PART (METHOD "" for any): how often it was asked
# and the longest wait between two asks.
hits() {
    fake_requests "$1" "$REC" && python3 - "$REC" "$2" "$3" <<'PY'
import json, sys
recs = [r for r in json.load(open(sys.argv[1]))
        if (not sys.argv[2] or r["method"] == sys.argv[2])
        and sys.argv[3] in r["path"].split("?")[0]]
gap = max([b["time"] - a["time"] for a, b in zip(recs, recs[1:])] or [0])
print(len(recs), "%.2f" % gap)
PY
}

# all_used FAKE: every armed rule was hit (so the fault really happened).
all_used() {
    fake_ctl "$1" GET faults | python3 -c '
import json, sys
sys.exit(1 if [r for r in json.load(sys.stdin) if not r.get("_used")] else 0)' ||
        fail "the fault was never injected: $(fake_ctl "$1" GET faults)"
}

# row FAULT PROVIDER WANT FAKE METHOD PATH_PART [WORDS…]: waits for the job
# in $D, checks it against WANT (succeeded, or failed with every WORD in its
# message), and adds a table row. The outcome column says what happened;
# lost is 1 unless the job ended as documented.
row() {
    local fault=$1 prov=$2 want=$3 fake=$4 method=$5 part=$6
    shift 6
    local rec=$D/out/photo.json outcome lost=1 n gap msg state w ok=0
    job_done "$D" photo 90 || true
    state=$(record_field "$rec" state 2>/dev/null) || state=none
    read -r n gap <<<"$(hits "$fake" "$method" "$part")"
    if [ "$state" = succeeded ] && mp4_ok "$D/out/photo.mp4" >/dev/null; then
        if [ "${n:-0}" -gt 1 ]; then
            outcome="retried ($n requests, longest wait $gap s), succeeded"
        else
            outcome="succeeded ($n request)"
        fi
        [ "$want" = succeeded ] && lost=0 && ok=1
    elif [ "$state" = failed ]; then
        msg=$(record_field "$rec" error)
        outcome="failed after $n request(s): \"$msg\""
        lost=0
        for w in "$@"; do
            [[ "${msg,,}" == *"${w,,}"* ]] || lost=1
        done
        [ -e "$D/out/photo.mp4" ] && lost=1
        [ "$want" = failed ] && [ $lost = 0 ] && ok=1
    else
        outcome="no terminal record (state $state)"
    fi
    printf '%s\t%s\t%s\t%s\n' "$fault" "$prov" "$outcome" "$lost" >>"$TABLE"
    LOST_TOTAL=$((LOST_TOTAL + lost))
    [ $ok = 1 ] || fail "$fault/$prov: expected $want $*, got: $outcome"
}

# ---- rate limits and server errors: retried, as long as asked ----
case_429_retry_after() {
    arm gateway '[{"path":"*/video-model/start","status":429,"retry_after":"1"}]' $GK &&
        row "429 + Retry-After: 1" gateway succeeded gateway POST /video-model/start &&
        all_used gateway || return 1
    read -r _ gap <<<"$(hits gateway POST /video-model/start)"
    awk -v g="$gap" 'BEGIN { exit !(g >= 0.95) }' || fail "retried after $gap s, not 1 s"
}
case_429_retry_after_ms() {
    arm kling '[{"path":"/v1/videos/image2video","method":"POST","status":429,"retry_after_ms":"700"}]' $KL &&
        row "429 + retry-after-ms: 700" kling succeeded kling POST /v1/videos/image2video &&
        all_used kling || return 1
    read -r _ gap <<<"$(hits kling POST /v1/videos/image2video)"
    awk -v g="$gap" 'BEGIN { exit !(g >= 0.65) }' || fail "retried after $gap s, not 0.7 s"
}
case_429_plain() {
    arm krea '[{"path":"/generate/","status":429,"times":2}]' $KR &&
        row "429, no Retry-After (x2)" krea succeeded krea POST /generate/ && all_used krea
}
case_429_always() {
    arm krea '[{"path":"/generate/","status":429,"times":-1}]' $KR &&
        row "429 on every attempt" krea failed krea POST /generate/ 429
}
case_500() {
    arm kling '[{"path":"/v1/videos/image2video/","method":"GET","status":500,"times":2}]' $KL &&
        row "500 on a poll (x2)" kling succeeded kling GET /v1/videos/image2video/ && all_used kling
}
case_502() {
    arm krea '[{"path":"/assets","status":502}]' $KR &&
        row "502 on the asset upload" krea succeeded krea POST /assets && all_used krea
}
case_503() {
    arm gateway '[{"path":"*/video-model/start","status":503}]' $GK &&
        row "503 on the submit" gateway succeeded gateway POST /video-model/start && all_used gateway
}
case_503_blob() {
    arm blob '[{"path":"/","method":"PUT","status":503}]' gateway/alibaba/wan-v2.6-i2v &&
        row "503 on the Blob upload" blob succeeded blob PUT / && all_used blob
}
case_503_always() {
    arm kling '[{"path":"/v1/videos/image2video","method":"POST","status":503,"times":-1}]' $KL &&
        row "503 on every attempt" kling failed kling POST /v1/videos/image2video 503
}

# ---- the network ----
case_reset_poll() {
    arm kling '[{"path":"/v1/videos/image2video/","method":"GET","fault":"reset_mid_body"}]' $KL &&
        row "connection reset mid-body (poll)" kling succeeded kling GET /v1/videos/image2video/ &&
        all_used kling
}
case_reset_submit() {
    arm gateway '[{"path":"*/video-model/start","fault":"reset_mid_body"}]' $GK &&
        row "connection reset mid-body (submit)" gateway succeeded gateway POST /video-model/start &&
        all_used gateway || return 1
    # One operation: the retry carried the same idempotency-key.
    fake_requests gateway "$REC" &&
        [ "$($CHECK headers "$REC" /v4/ai/video-model/start idempotency-key | sort -u | wc -l)" -le 1 ] ||
        fail "the retried start changed its idempotency-key"
}
case_reset_download() {
    arm krea '[{"path":"/files/results/","fault":"reset_mid_body"}]' $KR &&
        row "connection reset mid-body (download)" krea succeeded krea GET /files/results/ &&
        all_used krea
}
case_drop() {
    arm gateway '[{"path":"*/video-model/status","fault":"drop"}]' $GK &&
        row "connection closed, no reply" gateway succeeded gateway POST /video-model/status &&
        all_used gateway
}
case_stall() {
    arm gateway '[{"path":"*/video-model/status","fault":"slow","seconds":5}]' $GK &&
        row "stall past the timeout (5 s > ${HTTP_TIMEOUT_MS} ms)" gateway succeeded gateway POST /video-model/status &&
        all_used gateway || return 1
    # The stalled attempt was abandoned at the timeout, not waited out.
    read -r _ gap <<<"$(hits gateway POST /video-model/status)"
    awk -v g="$gap" 'BEGIN { exit !(g < 4) }' || fail "waited $gap s for a stalled reply"
}
case_stall_always() {
    arm kling '[{"path":"/v1/videos/image2video/","method":"GET","fault":"slow","seconds":3,"times":-1}]' $KL &&
        row "stall on every attempt" kling failed kling GET /v1/videos/image2video/ time
}

# ---- downloads ----
case_truncate_once() {
    arm kling '[{"path":"/files/","fault":"truncate"}]' $KL &&
        row "truncated download (once)" kling succeeded kling GET /files/ && all_used kling
}
case_truncate_always() {
    arm kling '[{"path":"/files/","fault":"truncate","times":-1}]' $KL &&
        row "truncated download (always)" kling failed kling GET /files/ video
}
case_corrupt_always() {
    arm gateway '[{"path":"/files/","fault":"corrupt","times":-1}]' $GK &&
        row "corrupt download (always)" gateway failed gateway GET /files/ video
}
case_404() {
    arm krea '[{"path":"/files/results/","fault":"result_404","times":-1}]' $KR &&
        row "result URL answers 404" krea failed krea GET /files/results/ 404
}

# ---- the provider's replies ----
case_malformed_poll() {
    arm krea '[{"path":"/jobs/","fault":"malformed_json","times":-1}]' $KR &&
        row "malformed JSON (every poll)" krea failed krea GET /jobs/ reply
}
case_malformed_submit() {
    arm kling '[{"path":"/v1/videos/image2video","method":"POST","fault":"malformed_json"}]' $KL &&
        row "malformed JSON (submit)" kling failed kling POST /v1/videos/image2video reply
}
case_task_failed() { # FAKE FOLDER PATH MESSAGE POLL_PATH
    arm "$1" '[{"path":"'"$3"'","fault":"task_failed","message":"'"$4"'"}]' "$2" &&
        row "failed task inside HTTP 200" "$1" failed "$1" "" "$5" "$4" && all_used "$1"
}

# ---- credentials ----
# The first submit is refused as an expired token (401, code 1004): the
# engine signs a fresh JWT and sends the submit once more, which the fake
# verifies (within the same second the fresh token may equal the old one:
# the claims are whole seconds).
case_jwt_expired_once() {
    arm kling '[{"path":"/v1/videos/image2video","method":"POST","status":401,"code":1004,"message":"Authorization token has expired"}]' $KL &&
        row "expired JWT (401, code 1004), once" kling succeeded kling POST /v1/videos/image2video &&
        all_used kling || return 1
    fake_requests kling "$REC" && python3 - "$REC" <<'PY' || fail "the retry did not carry a fresh token"
import json, sys
subs = [r for r in json.load(open(sys.argv[1]))
        if r["method"] == "POST" and r["path"] == "/v1/videos/image2video"]
assert len(subs) == 2, "%d submits" % len(subs)
assert subs[0]["status"] == 401 and subs[1]["status"] == 200, subs
assert all(s["headers"].get("authorization-sha256") for s in subs), subs
PY
}
# The fake's clock is an hour ahead: every token we sign is expired. One
# fresh token is tried, then the job fails quoting Kling.
case_jwt_expired_always() {
    FAKE_CONFIG='{"clock_skew": 3600}' arm kling '[]' $KL || return 1
    row "expired JWT, every token (clock 1 h off)" kling failed kling POST /v1/videos/image2video expired
    local rc=$?
    fake_ctl kling POST config '{"clock_skew": 0}' >/dev/null
    [ $rc = 0 ] || return 1
    read -r n _ <<<"$(hits kling POST /v1/videos/image2video)"
    [ "$n" = 2 ] || fail "$n submits, expected 2 (one fresh token)"
}

# ---- a provider that never finishes ----
case_never_finish() {
    arm kling '[{"path":"/v1/videos/image2video","fault":"never_finish"}]' $KL \
        '{"prompt": "a cat, table case @N@", "duration": 5, "providerOptions": {"klingai": {"pollTimeoutMs": 1500}}}' &&
        row "provider never finishes (pollTimeoutMs 1500)" kling failed kling GET /v1/videos/image2video/ "did not finish"
}
case_never_finish_gateway() {
    arm gateway '[{"path":"*/video-model/start","fault":"never_finish"}]' $GK \
        '{"prompt": "a cat, table case @N@", "duration": 5, "providerOptions": {"klingai": {"pollTimeoutMs": 1500}}}' &&
        row "provider never finishes (pollTimeoutMs 1500)" gateway failed gateway POST /video-model/status "did not finish"
}

run_case "429 with Retry-After: waited 1 s, succeeded" case_429_retry_after
run_case "429 with retry-after-ms: waited 0.7 s, succeeded" case_429_retry_after_ms
run_case "429 without Retry-After: backed off, succeeded" case_429_plain
run_case "429 on every attempt: failed quoting 429" case_429_always
run_case "500 on polls: retried, succeeded" case_500
run_case "502 on the Krea upload: retried, succeeded" case_502
run_case "503 on the gateway start: retried, succeeded" case_503
run_case "503 on the Blob upload: retried, succeeded" case_503_blob
run_case "503 on every attempt: failed quoting 503" case_503_always
run_case "reset mid-body on a poll: retried, succeeded" case_reset_poll
run_case "reset mid-body on the start: one operation, succeeded" case_reset_submit
run_case "reset mid-body on the download: fetched again, succeeded" case_reset_download
run_case "connection dropped: retried, succeeded" case_drop
run_case "stall past the HTTP timeout: timed out, retried, succeeded" case_stall
run_case "stall on every attempt: failed saying it timed out" case_stall_always
run_case "truncated download once: fetched again, succeeded" case_truncate_once
run_case "truncated download always: failed" case_truncate_always
run_case "corrupt download always: failed" case_corrupt_always
run_case "result URL 404: failed" case_404
run_case "malformed JSON on every poll: failed" case_malformed_poll
run_case "malformed JSON on the submit: failed" case_malformed_submit
run_case "gateway task error inside 200: failed quoting it" case_task_failed gateway $GK / "Upstream rejected the image" /video-model
run_case "Kling task failed inside 200: failed quoting it" case_task_failed kling $KL /v1/videos/image2video "Content policy violation" /v1/videos/image2video
run_case "Krea job failed inside 200: failed quoting it" case_task_failed krea $KR /generate/ "Generation failed: NSFW" /jobs/
run_case "expired JWT once: fresh token, succeeded" case_jwt_expired_once
run_case "expired JWT always: one fresh token, then failed" case_jwt_expired_always
run_case "Kling task never finishes: poll timeout ends it" case_never_finish
run_case "gateway operation never finishes: poll timeout ends it" case_never_finish_gateway

echo
echo "fault | provider | outcome | jobs lost"
echo "--- | --- | --- | ---"
awk -F'\t' '{ printf "%s | %s | %s | %s\n", $1, $2, $3, $4 }' "$TABLE"
echo "jobs: $(wc -l <"$TABLE"), lost: $LOST_TOTAL"
echo
if [ "$LOST_TOTAL" -eq 0 ]; then
    PASSED=$((PASSED + 1))
    echo "ok   no job lost"
else
    FAILED=$((FAILED + 1))
    echo "FAIL $LOST_TOTAL job(s) lost"
fi
run_case "no secret in the mount, the store or the log" no_secrets
finish
