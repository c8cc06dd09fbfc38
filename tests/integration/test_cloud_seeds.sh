#!/bin/bash
# Every seed example (tests/fixtures/seeds/**) written as clip.json into its
# model's folder ends with out/clip.mp4 and a succeeded record, and the fake
# received the wire request its protocol file describes, field by field
# (tests/fake/expect/**). Then the issue's own example (request.json,
# start.png, end.png), a local image that Blob hosts for a URL-only model,
# the status sequence of each provider as the record shows it, and no
# secret anywhere in the mount or the log.
. "$(dirname "$0")/cloud_lib.sh"
need_cloud
start_all_fakes || exit 1
start_cloud_mount || exit 1
wait_for 20 cloud_ready || {
    echo "FAIL the mount shows no cloud model folders"
    ls -R "$MNT" | head -30
    exit 1
}
SEEDS=$FIXTURES/seeds
EXPECT=$FAKE_DIR/expect

# A job file's route is the first folder of its fixture path.
fake_of_route() {
    case $1 in
        gateway) echo gateway ;; kling) echo kling ;; krea) echo krea ;;
    esac
}

# seed_case FIXTURE (route/dir/n.json)
seed_case() {
    local rel=$1 route dir n folder case_dir name rec=$WORK/rec.json
    route=${rel%%/*}
    dir=${rel#*/}
    dir=${dir%%/*}
    n=$(basename "$rel" .json)
    folder=$($JOBTOOL folder "$CATALOG" "$route" "$dir") ||
        fail "no catalog folder for $route/$dir" || return 1
    case_dir=$MNT/$folder/seed-$n
    fake_reset_all
    mkdir -p "$case_dir" || return 1
    for name in $($JOBTOOL assets "$SEEDS/$rel"); do
        make_image "$case_dir/$name" 480x320 || return 1
    done
    cp "$SEEDS/$rel" "$case_dir/clip.json" &&
        succeeded "$case_dir" clip || return 1
    fake_requests "$(fake_of_route "$route")" "$rec" &&
        $CHECK wire "$rec" "$EXPECT/$rel" | sed 's/^/    /' &&
        [ "${PIPESTATUS[0]}" -eq 0 ] || fail "wire request differs from $EXPECT/$rel" || return 1
    # Results are fetched with a plain GET: no credentials travel there.
    [ -z "$($CHECK headers "$rec" /files/ authorization | tr -d '\n')" ] ||
        fail "the download carried an Authorization header"
}

for f in $(cd "$SEEDS" && find . -name '*.json' | sed 's|^\./||' | sort); do
    run_case "seed $f → out/clip.mp4, wire as in the protocol" seed_case "$f"
done

# The issue's example: a folder with request.json, start.png and end.png.
case_issue_example() {
    local d=$MNT/gateway/klingai/kling-v2.6-i2v/cats src=$WORK/cats rec=$WORK/rec.json watch=$WORK/watch.out
    fake_reset_all
    # Five polls while running, and a first poll that takes half a second,
    # so that a reader sees each state.
    fake_ctl gateway POST config '{"delay_polls": 5}' >/dev/null
    fake_ctl gateway POST faults '[{"path":"*/video-model/status","fault":"slow","seconds":0.5}]' >/dev/null
    mkdir -p "$src" "$d" && make_image "$src/start.png" 480x320 && make_image "$src/end.png" 400x300 &&
        echo '{"prompt": {"text": "Smooth transition"}, "providerOptions": {"klingai": {"imageTail": "end.png", "mode": "pro"}}}' >"$src/request.json" || return 1
    $JOBTOOL watch "$d/out/start.json" 60 >"$watch" &
    local watcher=$!
    cp "$src/request.json" "$src/start.png" "$src/end.png" "$d/"
    wait $watcher
    local states
    states=$(sed -n 's/^states: //p' "$watch")
    in_order "$states" submitted running succeeded ||
        fail "states seen: $states (want submitted → running → succeeded)" || return 1
    mp4_ok "$d/out/start.mp4" || return 1
    [ "$(ls -A "$d/out" | sort | tr '\n' ' ')" = "start.json start.mp4 " ] ||
        fail "out/ holds: $(ls -A "$d/out") (end.png is an asset, not a job)" || return 1
    fake_requests gateway "$rec" && [ "$($CHECK count "$rec" POST /video-model/start)" = 1 ] ||
        [ "$($CHECK count "$rec" POST /v4/ai/video-model/start)" = 1 ] ||
        fail "not exactly one start request" || return 1
    python3 - "$rec" "$src/start.png" "$src/end.png" <<'PY' || fail "wire body"
import base64, json, sys
recs = [r for r in json.load(open(sys.argv[1])) if r["path"].endswith("/video-model/start")]
b = recs[0]["body"]
start, end = (open(p, "rb").read() for p in sys.argv[2:4])
assert recs[0]["headers"]["ai-model-id"] == "klingai/kling-v2.6-i2v"
assert b["prompt"] == "Smooth transition", b.get("prompt")
assert b["image"]["type"] == "file" and b["image"]["mediaType"] == "image/png", b["image"].keys()
assert base64.b64decode(b["image"]["data"]) == start, "image is not start.png"
k = b["providerOptions"]["klingai"]
assert k["mode"] == "pro", k
assert base64.b64decode(k["imageTail"]) == end, "imageTail is not end.png"
PY
}
run_case "issue example: start.png + end.png + request.json → submitted, running, succeeded; end.png no job" case_issue_example

# A local image for a model that takes URLs only travels through Blob,
# under a content-hash name.
case_blob_upload() {
    local d=$MNT/gateway/alibaba/wan-v2.6-i2v/local rec=$WORK/rec.json sha
    fake_reset_all
    mkdir -p "$d" && make_image "$WORK/cat.png" 480x320 || return 1
    sha=$(sha256sum "$WORK/cat.png" | cut -d' ' -f1)
    echo '{"prompt": "The cat waves", "duration": 5}' >"$d/request.json" &&
        cp "$WORK/cat.png" "$d/" && succeeded "$d" cat || return 1
    fake_requests blob "$rec" && python3 - "$rec" "$sha" <<'PY' || fail "blob PUT" || return 1
import json, sys
puts = [r for r in json.load(open(sys.argv[1])) if r["method"] == "PUT"]
assert len(puts) == 1, [r["path"] for r in puts]
p = puts[0]
h = p["headers"]
assert h["authorization"] == "Bearer" and h["x-api-version"] == "12", h
assert h["x-vercel-blob-access"] == "public", h
assert sys.argv[2] in p["path"], "no content hash in " + p["path"]
assert p["sha256"] == sys.argv[2], "the bytes sent are not the image"
PY
    fake_requests gateway "$rec" && python3 - "$rec" <<'PY' || fail "gateway got no Blob URL"
import json, sys
s = [r for r in json.load(open(sys.argv[1])) if r["path"].endswith("/video-model/start")][0]
img = s["body"]["image"]
assert img["type"] == "url" and img["url"].startswith("http://127.0.0.1:") and "/files/blob/" in img["url"], img
PY
}
run_case "gateway Wan with a local image: uploaded to Blob by content hash, sent as its URL" case_blob_upload

# The record walks through each provider's statuses (five polls each, the
# first one slow so that "submitted" lasts).
# sequence_case NAME FOLDER REQUEST FAKE POLL_PATH WANT_RAW…
sequence_case() {
    local name=$1 folder=$2 request=$3 fake=$4 poll=$5
    shift 5
    local d=$MNT/$folder/seq-$name watch=$WORK/watch-$name.out
    fake_reset_all
    fake_ctl "$fake" POST config '{"delay_polls": 5}' >/dev/null
    fake_ctl "$fake" POST faults '[{"path":"'"$poll"'","fault":"slow","seconds":0.5}]' >/dev/null
    mkdir -p "$d" && echo "$request" >"$d/request.json" || return 1
    $JOBTOOL watch "$d/out/photo.json" 60 >"$watch" &
    local watcher=$!
    make_image "$d/photo.png" 480x320
    wait $watcher
    local states raw w
    states=$(sed -n 's/^states: //p' "$watch")
    raw=$(sed -n 's/^raw: //p' "$watch")
    echo "    $name: states: $states; provider: $raw"
    in_order "$states" submitted running succeeded || fail "states: $states" || return 1
    in_order "$raw" "$@" || fail "provider statuses $* not all in the record, in order (saw: $raw)" ||
        return 1
    mp4_ok "$d/out/photo.mp4"
}
# The gateway's status is pending → completed; its asyncJob status
# (queued, running) is what a client may show instead while pending.
run_case "status sequence: gateway pending → completed" sequence_case gateway \
    gateway/klingai/kling-v2.6-i2v '{"prompt": "a cat", "duration": 5}' gateway \
    "*/video-model/status" "pending|queued|running" completed
run_case "status sequence: kling submitted → processing → succeed" sequence_case kling \
    kling/kling-v2-6 '{"prompt": "a cat", "duration": 5}' kling \
    /v1/videos/image2video/ submitted processing succeed
run_case "status sequence: krea queued → processing → sampling → completed" sequence_case krea \
    krea/kling/kling-2.5 '{"prompt": "a cat", "duration": 5}' krea \
    /jobs/ queued processing sampling completed

# The gateway may return the video inline (base64) instead of a URL.
case_inline_video() {
    local d=$MNT/gateway/klingai/kling-v2.6-i2v/inline rec=$WORK/rec.json
    fake_reset_all
    fake_ctl gateway POST config '{"inline_video": true}' >/dev/null
    mkdir -p "$d" && echo '{"prompt": "an inline video", "duration": 5}' >"$d/request.json" &&
        make_image "$d/photo.png" 480x320 && succeeded "$d" photo || return 1
    fake_requests gateway "$rec" && [ "$($CHECK count "$rec" GET /files/)" = 0 ] ||
        fail "the video was downloaded, not taken inline"
}
run_case "gateway inline base64 video → out/photo.mp4" case_inline_video

run_case "no secret in the mount or the daemon log" no_secrets

# Kling by API key (KLINGAI_API_KEY), and the access/secret key pair under
# its other names (KLING_ACCESS_KEY, KLING_SECRET_KEY).
KLING_API_KEY=klingapikey-$SALT-SECRET
SECRETS+=("$KLING_API_KEY")
start_fake kling_key kling --key "$KLING_API_KEY" || exit 1
case_kling_api_key() {
    local d=$MNT/kling/kling-v2-6/apikey rec=$WORK/rec.json
    fake_ctl kling_key POST reset >/dev/null
    mkdir -p "$d" && echo '{"prompt": "by API key", "duration": 5}' >"$d/request.json" &&
        make_image "$d/photo.png" 480x320 && succeeded "$d" photo || return 1
    fake_requests kling_key "$rec" && [ "$($CHECK count "$rec" POST /v1/videos/image2video)" = 1 ] ||
        fail "the API-key fake got no submit"
}
case_kling_alias_names() {
    local d=$MNT/kling/kling-v2-6/alias
    fake_reset_all
    mkdir -p "$d" && echo '{"prompt": "by KLING_ACCESS_KEY", "duration": 5}' >"$d/request.json" &&
        make_image "$d/photo.png" 480x320 && succeeded "$d" photo
}
stop_daemon
if start_cloud_mount KLINGAI_ACCESS_KEY= KLINGAI_SECRET_KEY= I2VFS_KLING_URL="${FAKE_URL[kling_key]}" \
    KLINGAI_API_KEY="$KLING_API_KEY" && wait_for 20 cloud_ready; then
    run_case "kling with KLINGAI_API_KEY: bearer key accepted, succeeded" case_kling_api_key
else
    run_case "daemon restarts with KLINGAI_API_KEY" false
fi
stop_daemon
if start_cloud_mount KLINGAI_ACCESS_KEY= KLINGAI_SECRET_KEY= KLING_ACCESS_KEY="$KLING_AK" \
    KLING_SECRET_KEY="$KLING_SK" && wait_for 20 cloud_ready; then
    run_case "kling with KLING_ACCESS_KEY + KLING_SECRET_KEY: JWT accepted, succeeded" case_kling_alias_names
else
    run_case "daemon restarts with KLING_ACCESS_KEY" false
fi
run_case "no secret in the mount or the daemon log (after restarts)" no_secrets
finish
