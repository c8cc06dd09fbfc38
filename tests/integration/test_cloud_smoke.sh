#!/bin/bash
# Smoke test of the cloud path through the mount: one image dropped into
# gateway/klingai/kling-v2.6-i2v next to a request.json goes through the
# fake AI Gateway (submitted → running → succeeded) and ends as a verified
# out/start.mp4 with a succeeded record that names the provider's task and
# holds no key; without a Blob token a local image for a URL-only model
# fails, saying what to set.
. "$(dirname "$0")/cloud_lib.sh"
need_cloud
start_all_fakes || exit 1
start_cloud_mount || exit 1
wait_for 20 cloud_ready || {
    echo "FAIL the mount shows no cloud model folders"
    exit 1
}

# provider_field FILE KEY: a field of the record's provider object.
provider_field() {
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["provider"].get(sys.argv[2]) or "")' "$1" "$2"
}

case_gateway_kling() {
    local dir=$MNT/gateway/klingai/kling-v2.6-i2v/smoke rec
    mkdir -p "$dir" || return 1
    make_image "$WORK/start.png" 480x320 || return 1
    echo '{"prompt": {"text": "Smooth transition"}, "duration": 5}' \
        >"$dir/request.json" || return 1
    cp "$WORK/start.png" "$dir/start.png" || return 1
    succeeded "$dir" start || return 1
    rec=$dir/out/start.json
    [ -n "$(provider_field "$rec" task_id)" ] ||
        fail "no provider.task_id in the record" || return 1
    [[ "$(provider_field "$rec" idempotency_key)" == i2vfs_* ]] ||
        fail "no idempotency key in the record" || return 1
    [ "$(fake_count gateway POST /video-model/start)" = 1 ] ||
        fail "not exactly one submit" || return 1
    ! grep -rqF "$GATEWAY_KEY" "$dir" "$WORK/daemon.log" ||
        fail "the key leaked into the mount or the log"
}

case_url_only_without_blob_token() {
    local dir=$MNT/gateway/alibaba/wan-v2.6-i2v/smoke
    stop_daemon
    start_cloud_mount BLOB_READ_WRITE_TOKEN= || return 1
    wait_for 20 cloud_ready || return 1
    mkdir -p "$dir" || return 1
    echo '{"prompt": "waves"}' >"$dir/request.json" || return 1
    cp "$WORK/start.png" "$dir/sea.png" || return 1
    failed_with "$dir" sea "set BLOB_READ_WRITE_TOKEN" "https URL"
}

run_case "an image through the fake gateway ends in out/" case_gateway_kling
run_case "URL-only model without a Blob token says what to set" \
    case_url_only_without_blob_token
finish
