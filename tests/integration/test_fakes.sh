#!/bin/bash
# The fake servers of tests/fake/ driven by curl: auth refused and accepted,
# strict 400s for wrong types and unknown keys, status sequences to the end,
# real MP4 results, uploads, the recording, and faults. Needs no daemon.
. "$(dirname "$0")/cloud_lib.sh"

for tool in curl ffprobe ffmpeg; do
    command -v $tool >/dev/null || { echo "skip: no $tool"; exit 77; }
done
start_all_fakes || exit 1
GW=${FAKE_URL[gateway]}
KL=${FAKE_URL[kling]}
KR=${FAKE_URL[krea]}
BL=${FAKE_URL[blob]}
IMG=$WORK/img
mkdir -p "$IMG"
make_image "$IMG/photo.png" 480x320
PNG_B64=$(base64 -w0 "$IMG/photo.png")

# http METHOD URL [curl args…]: prints "STATUS BODY" (body on one line).
http() {
    local m=$1 u=$2
    shift 2
    curl -sS --max-time 15 -o "$WORK/body" -w '%{http_code}' -X "$m" "$@" "$u" &&
        printf ' ' && tr -d '\n' <"$WORK/body"
}

# jfield JSON EXPR: evaluates EXPR (python, on variable j) over JSON.
jfield() {
    python3 -c 'import json, sys; j = json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"
}

# expect_status OUT STATUS WORD: the reply has STATUS and mentions WORD.
expect_status() {
    [ "${1%% *}" = "$2" ] && [[ "$1" == *"$3"* ]] || fail "expected $2 with '$3', got: ${1:0:300}"
}

# mp4_at URL: the URL serves an MP4 that ffprobe reads.
mp4_at() {
    curl -sSf --max-time 15 -o "$WORK/dl.mp4" "$1" && mp4_ok "$WORK/dl.mp4"
}

jwt() { # AK SK [SKEW_SECONDS]
    python3 - "$@" <<'PY'
import base64, hashlib, hmac, json, sys, time
e = lambda b: base64.urlsafe_b64encode(b).rstrip(b"=").decode()
now = int(time.time()) + int(sys.argv[3] if len(sys.argv) > 3 else 0)
h = e(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
p = e(json.dumps({"iss": sys.argv[1], "exp": now + 1800, "nbf": now - 5},
                 separators=(",", ":")).encode())
s = e(hmac.new(sys.argv[2].encode(), (h + "." + p).encode(), hashlib.sha256).digest())
print(h + "." + p + "." + s)
PY
}

GW_H=(-H "Authorization: Bearer $GATEWAY_KEY" -H 'ai-gateway-protocol-version: 0.0.1'
    -H 'ai-gateway-auth-method: api-key' -H 'ai-video-model-specification-version: 4'
    -H 'ai-model-id: klingai/kling-v2.6-i2v' -H 'Content-Type: application/json')
GW_BODY='{"prompt":"a cat","n":1,"duration":5,"providerOptions":{"klingai":{"mode":"std"}},"image":{"type":"url","url":"https://example.com/cat.png"}}'

case_gateway_auth() {
    local out
    out=$(http POST "$GW/v4/ai/video-model/start" -H 'Content-Type: application/json' \
        -H 'idempotency-key: k0' -d "$GW_BODY")
    expect_status "$out" 401 authentication_error || return 1
    out=$(http POST "$GW/v4/ai/video-model/start" "${GW_H[@]/$GATEWAY_KEY/wrong}" \
        -H 'idempotency-key: k0' -d "$GW_BODY")
    expect_status "$out" 401 authentication_error
}

case_gateway_strict() {
    local out
    out=$(http POST "$GW/v4/ai/video-model/start" "${GW_H[@]}" -H 'idempotency-key: k1' \
        -d '{"prompt":"a cat","n":1,"duration":"5","providerOptions":{}}')
    expect_status "$out" 400 duration || return 1
    out=$(http POST "$GW/v4/ai/video-model/start" "${GW_H[@]}" -H 'idempotency-key: k1' \
        -d '{"prompt":"a cat","n":1,"aspect_ratio":"16:9","providerOptions":{}}')
    expect_status "$out" 400 aspect_ratio || return 1
    out=$(http POST "$GW/v4/ai/video-model/start" "${GW_H[@]}" -d "$GW_BODY")
    expect_status "$out" 400 idempotency-key || return 1
    out=$(http POST "$GW/v4/ai/video-model/start" "${GW_H[@]/klingai\/kling-v2.6-i2v/alibaba\/wan-v2.6-i2v}" \
        -H 'idempotency-key: k2' \
        -d '{"prompt":"x","n":1,"providerOptions":{},"image":{"type":"file","mediaType":"image/png","data":"'"$PNG_B64"'"}}')
    expect_status "$out" 400 "URLs only" || return 1
    out=$(http POST "$GW/v4/ai/video-model/start" "${GW_H[@]/klingai\/kling-v2.6-i2v/klingai\/kling-v9}" \
        -H 'idempotency-key: k3' -d "$GW_BODY")
    expect_status "$out" 404 model_not_found
}

case_gateway_sse() {
    local out url
    out=$(http POST "$GW/v4/ai/video-model" "${GW_H[@]}" -H 'accept: text/event-stream' -d "$GW_BODY")
    expect_status "$out" 200 'data: {"type": "result"' || return 1
    url=$(sed -n 's/^data: //p' "$WORK/body" | python3 -c 'import json, sys; print(json.load(sys.stdin)["videos"][0]["url"])')
    mp4_at "$url"
}

case_gateway_sequence() {
    local out op a b seq="" i
    out=$(http POST "$GW/v4/ai/video-model/start" "${GW_H[@]}" -H 'idempotency-key: idem-1' -d "$GW_BODY")
    expect_status "$out" 200 gatewayJobId || return 1
    op=$(jfield "${out#* }" 'json.dumps(j["operation"])')
    # The same idempotency-key gives the same operation, no new job.
    out=$(http POST "$GW/v4/ai/video-model/start" "${GW_H[@]}" -H 'idempotency-key: idem-1' -d "$GW_BODY")
    [ "$(jfield "${out#* }" 'json.dumps(j["operation"])')" = "$op" ] || fail "idempotency: $out" || return 1
    for i in 1 2; do
        out=$(http POST "$GW/v4/ai/video-model/status" "${GW_H[@]}" -d "{\"operation\":$op}")
        seq+="$(jfield "${out#* }" 'j["status"]') "
    done
    [ "$seq" = "pending completed " ] || fail "sequence: $seq" || return 1
    mp4_at "$(jfield "${out#* }" 'j["videos"][0]["url"]')"
}

case_gateway_inline_video() {
    local out op
    fake_ctl gateway POST config '{"inline_video": true, "delay_polls": 0}' >/dev/null
    out=$(http POST "$GW/v4/ai/video-model/start" "${GW_H[@]}" -H 'idempotency-key: idem-2' -d "$GW_BODY")
    op=$(jfield "${out#* }" 'json.dumps(j["operation"])')
    out=$(http POST "$GW/v4/ai/video-model/status" "${GW_H[@]}" -d "{\"operation\":$op}")
    fake_ctl gateway POST config '{"inline_video": false, "delay_polls": 1}' >/dev/null
    jfield "${out#* }" 'j["videos"][0]["data"]' | base64 -d >"$WORK/inline.mp4" &&
        mp4_ok "$WORK/inline.mp4"
}

KL_BODY='{"model_name":"kling-v2-6","prompt":"a cat","image":"'"$PNG_B64"'","mode":"std","duration":"5"}'

case_kling_jwt() {
    local out
    out=$(http POST "$KL/v1/videos/image2video" -H 'Content-Type: application/json' -d "$KL_BODY")
    expect_status "$out" 401 '"code": 1001' || return 1
    out=$(http POST "$KL/v1/videos/image2video" -H "Authorization: Bearer $(jwt "$KLING_AK" wrong)" \
        -H 'Content-Type: application/json' -d "$KL_BODY")
    expect_status "$out" 401 '"code": 1000' || return 1
    out=$(http POST "$KL/v1/videos/image2video" -H "Authorization: Bearer $(jwt "$KLING_AK" "$KLING_SK" -3600)" \
        -H 'Content-Type: application/json' -d "$KL_BODY")
    expect_status "$out" 401 '"code": 1004' || return 1
    # The fake's clock skew expires a token minted now.
    fake_ctl kling POST config '{"clock_skew": 3600}' >/dev/null
    out=$(http POST "$KL/v1/videos/image2video" -H "Authorization: Bearer $(jwt "$KLING_AK" "$KLING_SK")" \
        -H 'Content-Type: application/json' -d "$KL_BODY")
    fake_ctl kling POST config '{"clock_skew": 0}' >/dev/null
    expect_status "$out" 401 'expired' || return 1
    out=$(http POST "$KL/v1/videos/image2video" -H "Authorization: Bearer $(jwt "$KLING_AK" "$KLING_SK")" \
        -H 'Content-Type: application/json' -d "$KL_BODY")
    expect_status "$out" 200 submitted
}

case_kling_strict() {
    local out t
    t=$(jwt "$KLING_AK" "$KLING_SK")
    out=$(http POST "$KL/v1/videos/image2video" -H "Authorization: Bearer $t" \
        -H 'Content-Type: application/json' -d "${KL_BODY/\"duration\":\"5\"/\"duration\":5}")
    expect_status "$out" 400 'duration must be a string' || return 1
    out=$(http POST "$KL/v1/videos/image2video" -H "Authorization: Bearer $t" \
        -H 'Content-Type: application/json' -d "${KL_BODY/\"image\":\"/\"image\":\"data:image/png;base64,}")
    expect_status "$out" 400 'data: prefix' || return 1
    out=$(http POST "$KL/v1/videos/image2video" -H "Authorization: Bearer $t" \
        -H 'Content-Type: application/json' -d "${KL_BODY/kling-v2-6/kling-v2.6}")
    expect_status "$out" 404 '"code": 1203' || return 1
    out=$(http POST "$KL/v1/videos/image2video" -H "Authorization: Bearer $t" \
        -H 'Content-Type: application/json' -d "${KL_BODY/\"mode\"/\"imageTail\":\"x\",\"mode\"}")
    expect_status "$out" 400 'unknown parameter imageTail'
}

case_kling_sequence() {
    local out t seq="" i
    t=$(jwt "$KLING_AK" "$KLING_SK")
    out=$(http POST "$KL/v1/videos/image2video" -H "Authorization: Bearer $t" \
        -H 'Content-Type: application/json' -d "${KL_BODY/\"mode\"/\"external_task_id\":\"ext-1\",\"mode\"}")
    expect_status "$out" 200 '"external_task_id": "ext-1"' || return 1
    for i in 1 2 3; do # by external_task_id
        out=$(http GET "$KL/v1/videos/image2video/ext-1" -H "Authorization: Bearer $(jwt "$KLING_AK" "$KLING_SK")")
        seq+="$(jfield "${out#* }" 'j["data"]["task_status"]') "
    done
    [ "$seq" = "submitted processing succeed " ] || fail "sequence: $seq" || return 1
    mp4_at "$(jfield "${out#* }" 'j["data"]["task_result"]["videos"][0]["url"]')"
}

case_kling_task_failed() {
    local out t id i
    t=$(jwt "$KLING_AK" "$KLING_SK")
    fake_ctl kling POST faults '[{"path":"/v1/videos/image2video","fault":"task_failed","message":"Content policy violation"}]' >/dev/null
    out=$(http POST "$KL/v1/videos/image2video" -H "Authorization: Bearer $t" -H 'Content-Type: application/json' -d "$KL_BODY")
    id=$(jfield "${out#* }" 'j["data"]["task_id"]')
    for i in 1 2 3; do
        out=$(http GET "$KL/v1/videos/image2video/$id" -H "Authorization: Bearer $t")
    done
    [ "$(jfield "${out#* }" 'j["data"]["task_status"] + "|" + j["data"]["task_status_msg"]')" = \
        "failed|Content policy violation" ] || fail "got: $out"
}

case_krea_strict() {
    local out
    out=$(http POST "$KR/generate/video/kling/kling-2.5" -H 'Content-Type: application/json' -d '{"prompt":"x"}')
    expect_status "$out" 401 'not authenticated' || return 1
    out=$(http POST "$KR/generate/video/kling/kling-2.5" -H "Authorization: Bearer $KREA_KEY" \
        -H 'Content-Type: application/json' -d '{"prompt":"x","startImage":"https://e.com/a.png"}')
    expect_status "$out" 400 "unrecognized key 'startImage'" || return 1
    out=$(http POST "$KR/generate/video/kling/kling-2.5" -H "Authorization: Bearer $KREA_KEY" \
        -H 'Content-Type: application/json' -d '{"prompt":"x","duration":"5"}')
    expect_status "$out" 400 'duration: expected number' || return 1
    out=$(http POST "$KR/generate/video/kling/kling-2.5" -H "Authorization: Bearer $KREA_KEY" \
        -H 'Content-Type: application/json' -d '{"prompt":"x","start_image":"'"$PNG_B64"'"}')
    expect_status "$out" 400 'must be a URI'
}

case_krea_upload_and_sequence() {
    local out url id seq="" i
    out=$(http POST "$KR/assets" -H "Authorization: Bearer $KREA_KEY" -F "file=@$IMG/photo.png;type=image/png")
    expect_status "$out" 200 image_url || return 1
    url=$(jfield "${out#* }" 'j["image_url"]')
    curl -sSf "$url" | cmp -s - "$IMG/photo.png" || fail "the asset URL does not serve the upload" || return 1
    out=$(http POST "$KR/generate/video/kling/kling-2.5" -H "Authorization: Bearer $KREA_KEY" \
        -H 'Content-Type: application/json' \
        -d '{"prompt":"pan","start_image":"'"$url"'","duration":5,"aspect_ratio":"16:9"}')
    expect_status "$out" 200 '"status": "queued"' || return 1
    id=$(jfield "${out#* }" 'j["job_id"]')
    for i in 1 2 3 4; do
        out=$(http GET "$KR/jobs/$id" -H "Authorization: Bearer $KREA_KEY")
        seq+="$(jfield "${out#* }" 'j["status"]') "
    done
    [ "$seq" = "queued processing sampling completed " ] || fail "sequence: $seq" || return 1
    mp4_at "$(jfield "${out#* }" 'j["result"]["urls"][0]')"
}

BL_H=(-H "Authorization: Bearer $BLOB_TOKEN" -H 'x-api-version: 12' -H 'x-vercel-blob-access: public'
    -H 'x-content-type: image/png')

case_blob() {
    local out url
    out=$(http PUT "$BL/?pathname=i2v/abc.png" --data-binary "@$IMG/photo.png" -H 'x-api-version: 12')
    expect_status "$out" 403 forbidden || return 1
    out=$(http PUT "$BL/?pathname=i2v/abc.png" --data-binary "@$IMG/photo.png" \
        -H "Authorization: Bearer $BLOB_TOKEN" -H 'x-vercel-blob-access: public')
    expect_status "$out" 400 x-api-version || return 1
    out=$(http PUT "$BL/?pathname=i2v/abc.png" --data-binary "@$IMG/photo.png" "${BL_H[@]}")
    expect_status "$out" 200 '"pathname": "i2v/abc.png"' || return 1
    url=$(jfield "${out#* }" 'j["url"]')
    curl -sSf "$url" | cmp -s - "$IMG/photo.png" || fail "the blob URL does not serve the upload" || return 1
    out=$(http PUT "$BL/?pathname=i2v/abc.png" --data-binary "@$IMG/photo.png" "${BL_H[@]}")
    expect_status "$out" 400 'already exists' || return 1
    out=$(http PUT "$BL/?pathname=i2v/abc.png" --data-binary "@$IMG/photo.png" "${BL_H[@]}" -H 'x-allow-overwrite: 1')
    expect_status "$out" 200 url || return 1
    out=$(http POST "$BL/delete" -H "Authorization: Bearer $BLOB_TOKEN" -H 'x-api-version: 12' \
        -H 'Content-Type: application/json' -d "{\"urls\": [\"$url\"]}")
    expect_status "$out" 200 "{}" || return 1
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$url")" = 404 ] || fail "deleted blob still served"
}

case_recording() {
    local f=$WORK/rec.json
    fake_requests krea "$f" && python3 - "$f" "$KREA_KEY" <<'PY' || fail "recording"
import json, sys
recs = json.load(open(sys.argv[1]))
assert recs, "empty recording"
assert sys.argv[2] not in json.dumps(recs), "the key is in the recording"
gen = [r for r in recs if r["path"] == "/generate/video/kling/kling-2.5" and r["status"] == 200]
assert gen and gen[0]["headers"]["authorization"] == "Bearer", gen
assert gen[0]["body"]["duration"] == 5 and gen[0]["body"]["aspect_ratio"] == "16:9", gen[0]
up = [r for r in recs if r["path"] == "/assets" and r["status"] == 200][0]
assert up["body"]["multipart"]["file"]["content_type"] == "image/png", up
PY
    fake_ctl krea POST reset >/dev/null && [ "$(fake_count krea)" = 0 ] || fail "reset left requests"
}

case_fault_429() {
    local hdr=$WORK/hdr out
    fake_ctl krea POST faults '[{"method":"GET","path":"/jobs/","status":429,"retry_after":"1","retry_after_ms":"20"}]' >/dev/null
    curl -sS -D "$hdr" -o /dev/null -H "Authorization: Bearer $KREA_KEY" "$KR/jobs/none" &&
        grep -qi '^HTTP/1.1 429' "$hdr" && grep -qi '^Retry-After: 1' "$hdr" &&
        grep -qi '^retry-after-ms: 20' "$hdr" || fail "no 429 with Retry-After: $(cat "$hdr")" || return 1
    out=$(http GET "$KR/jobs/none" -H "Authorization: Bearer $KREA_KEY")
    expect_status "$out" 404 'job not found' # the rule was used once
}

case_fault_drop_and_reset() {
    local rc
    fake_ctl gateway POST faults '[{"path":"/v4/ai/video-model/start","fault":"drop"},{"path":"/v4/ai/video-model/start","fault":"reset_mid_body"}]' >/dev/null
    curl -sS --max-time 10 -o /dev/null -X POST "${GW_H[@]}" -H 'idempotency-key: d1' -d "$GW_BODY" \
        "$GW/v4/ai/video-model/start" 2>/dev/null
    rc=$?
    [ "$rc" = 52 ] || [ "$rc" = 56 ] || fail "drop: curl exit $rc (want 52 or 56)" || return 1
    curl -sS --max-time 10 -o /dev/null -X POST "${GW_H[@]}" -H 'idempotency-key: d2' -d "$GW_BODY" \
        "$GW/v4/ai/video-model/start" 2>/dev/null
    rc=$?
    [ "$rc" = 18 ] || fail "reset_mid_body: curl exit $rc (want 18, partial file)"
}

case_fault_downloads() {
    local out t id url
    t=$(jwt "$KLING_AK" "$KLING_SK")
    fake_ctl kling POST config '{"delay_polls": 0}' >/dev/null
    out=$(http POST "$KL/v1/videos/image2video" -H "Authorization: Bearer $t" -H 'Content-Type: application/json' -d "$KL_BODY")
    id=$(jfield "${out#* }" 'j["data"]["task_id"]')
    out=$(http GET "$KL/v1/videos/image2video/$id" -H "Authorization: Bearer $t")
    fake_ctl kling POST config '{"delay_polls": 1}' >/dev/null
    url=$(jfield "${out#* }" 'j["data"]["task_result"]["videos"][0]["url"]')
    fake_ctl kling POST faults '[{"fault":"truncate"},{"fault":"corrupt"},{"fault":"result_404"}]' >/dev/null
    curl -sSf -o "$WORK/t.mp4" "$url" && ! mp4_ok "$WORK/t.mp4" >/dev/null || fail "truncate" || return 1
    curl -sSf -o "$WORK/c.mp4" "$url" && ! mp4_ok "$WORK/c.mp4" >/dev/null || fail "corrupt" || return 1
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$url")" = 404 ] || fail "result_404" || return 1
    mp4_at "$url" # rules used up: the real video again
}

case_fault_never_finish_and_malformed() {
    local out id i
    fake_ctl krea POST faults '[{"path":"/generate/","fault":"never_finish"},{"method":"GET","path":"/jobs/","fault":"malformed_json"}]' >/dev/null
    out=$(http POST "$KR/generate/video/kling/kling-2.5" -H "Authorization: Bearer $KREA_KEY" \
        -H 'Content-Type: application/json' -d '{"prompt":"x","start_image":"https://e.com/a.png"}')
    id=$(jfield "${out#* }" 'j["job_id"]')
    out=$(http GET "$KR/jobs/$id" -H "Authorization: Bearer $KREA_KEY")
    ! jfield "${out#* }" 1 >/dev/null 2>&1 || fail "not malformed: $out" || return 1
    for i in 1 2 3 4 5 6; do
        out=$(http GET "$KR/jobs/$id" -H "Authorization: Bearer $KREA_KEY")
    done
    [ "$(jfield "${out#* }" 'j["status"]')" = sampling ] || fail "never_finish: $out"
}

run_case "gateway: no key or a wrong key is 401" case_gateway_auth
run_case "gateway: wrong type, unknown key, no idempotency-key, inline image for Wan (400), unknown model (404)" case_gateway_strict
run_case "gateway: start, same operation for the same key, pending → completed, MP4" case_gateway_sequence
run_case "gateway: inline base64 video is an MP4" case_gateway_inline_video
run_case "gateway: one-shot SSE result with a video URL" case_gateway_sse
run_case "kling: JWT checked (1001, 1000, 1004, clock skew), accepted" case_kling_jwt
run_case "kling: duration string, no data: prefix, model_name, unknown keys" case_kling_strict
run_case "kling: submitted → processing → succeed by external_task_id, MP4" case_kling_sequence
run_case "kling: task_failed fault ends failed with the message" case_kling_task_failed
run_case "krea: auth, unknown key, duration type, URI images" case_krea_strict
run_case "krea: /assets upload, queued → processing → sampling → completed, MP4" case_krea_upload_and_sequence
run_case "blob: token, headers, PUT served back, no silent overwrite, delete" case_blob
run_case "recording: auth redacted, JSON and multipart parsed, reset" case_recording
run_case "fault: 429 with Retry-After and retry-after-ms, once" case_fault_429
run_case "fault: dropped connection and reset mid-body" case_fault_drop_and_reset
run_case "fault: truncated, corrupt and 404 downloads" case_fault_downloads
run_case "fault: never_finish and malformed JSON" case_fault_never_finish_and_malformed
tally
