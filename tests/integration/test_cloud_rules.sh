#!/bin/bash
# Each rule of the seeds, broken once: the job fails before anything is
# sent, with a record whose message names the rule, and no fake received a
# single request.
. "$(dirname "$0")/cloud_lib.sh"
need_cloud
start_all_fakes || exit 1
start_cloud_mount || exit 1
wait_for 20 cloud_ready || {
    echo "FAIL the mount shows no cloud model folders"
    exit 1
}
N=0

# nothing_sent: no fake got any request since the last reset.
nothing_sent() {
    local name n
    for name in gateway kling krea blob; do
        n=$(fake_count "$name" "" /) || return 1
        [ "$n" = 0 ] || fail "$name received $n request(s): $(fake_ctl "$name" GET requests | head -c 400)" ||
            return 1
    done
}

# rule FOLDER JOB_JSON WORD… : clip.json with JOB_JSON in a new subfolder
# of FOLDER fails naming every WORD, and nothing was sent.
rule() {
    local folder=$1 job=$2 d
    shift 2
    N=$((N + 1))
    d=$MNT/$folder/rule-$N
    fake_reset_all
    mkdir -p "$d" && echo "$job" >"$d/clip.json" || return 1
    failed_with "$d" clip "$@" && nothing_sent
}

# image_rule FOLDER IMAGE_MAKER WORD…: an image dropped beside a valid
# request.json breaks the model's image rule.
image_rule() {
    local folder=$1 maker=$2 d
    shift 2
    N=$((N + 1))
    d=$MNT/$folder/img-$N
    fake_reset_all
    mkdir -p "$d" && echo '{"prompt": "a cat", "duration": 5}' >"$d/request.json" || return 1
    $maker "$WORK/img-$N" || return 1
    cp "$WORK/img-$N".* "$d/" || return 1
    local stem
    stem=$(basename "$(ls "$WORK/img-$N".*)")
    failed_with "$d" "${stem%.*}" "$@" && nothing_sent
}

URL=https://example.com/cat.png
P='"prompt": {"text": "a cat", "image": "'$URL'"}'
GK=gateway/klingai/kling-v2.6-i2v
GK3=gateway/klingai/kling-v3.0-i2v
VEO=gateway/google/veo-3.1-generate-001
WAN=gateway/alibaba/wan-v2.6-i2v
GROK=gateway/xai/grok-imagine-video
SD15=gateway/bytedance/seedance-v1.5-pro
SDLITE=gateway/bytedance/seedance-v1.0-lite-i2v
SDFAST=gateway/bytedance/seedance-v1.0-pro-fast
mask() { echo '{"mask": "https://example.com/m.png", "trajectories": [{"x": 1, "y": 1}, {"x": 2, "y": 2}]}'; }
MASK=$(mask)

run_case "unknown key" rule $GK "{$P, \"durationn\": 5}" durationn
run_case "Veo duration 4|6|8" rule $VEO "{$P, \"duration\": 5}" duration 5
run_case "Veo resolution 720p|1080p" rule $VEO "{$P, \"resolution\": \"4k\"}" resolution 4k
run_case "Kling v2.x duration 5|10 (direct)" rule kling/kling-v2-6 "{$P, \"duration\": 7}" duration 7
run_case "Kling v2.x duration 5|10 (gateway)" rule $GK "{$P, \"duration\": 15}" duration 15
run_case "Kling v3 duration 3-15" rule kling/kling-v3 "{$P, \"duration\": 16}" duration 16
run_case "Kling v3 duration 3-15 (gateway)" rule $GK3 "{$P, \"duration\": 2}" duration 2
run_case "Kling mode std|pro" rule kling/kling-v2-6 "{$P, \"providerOptions\": {\"klingai\": {\"mode\": \"ultra\"}}}" mode ultra
run_case "cfgScale not on v2.x" rule kling/kling-v2-1 "{$P, \"providerOptions\": {\"klingai\": {\"cfgScale\": 0.5}}}" cfgScale
run_case "cfgScale in [0, 1] on v3" rule kling/kling-v3 "{$P, \"providerOptions\": {\"klingai\": {\"cfgScale\": 1.5}}}" cfgScale 1.5
run_case "sound only on v2.6+" rule kling/kling-v2-5-turbo "{$P, \"providerOptions\": {\"klingai\": {\"sound\": \"on\"}}}" sound
run_case "voiceList at most 2" rule $GK "{$P, \"providerOptions\": {\"klingai\": {\"sound\": \"on\", \"voiceList\": [{\"voiceId\": \"a\"}, {\"voiceId\": \"b\"}, {\"voiceId\": \"c\"}]}}}" voiceList
run_case "voiceList needs sound on" rule kling/kling-v2-6 "{$P, \"providerOptions\": {\"klingai\": {\"voiceList\": [{\"voiceId\": \"a\"}]}}}" voiceList sound
run_case "voiceList not with elementList" rule kling/kling-v3 "{$P, \"providerOptions\": {\"klingai\": {\"sound\": \"on\", \"voiceList\": [{\"voiceId\": \"a\"}], \"elementList\": [{\"elementId\": 1}]}}}" voiceList elementList
run_case "elementList at most 3 on v3" rule kling/kling-v3 "{$P, \"providerOptions\": {\"klingai\": {\"elementList\": [{\"elementId\": 1}, {\"elementId\": 2}, {\"elementId\": 3}, {\"elementId\": 4}]}}}" elementList
run_case "multiShot only on v3" rule kling/kling-v2-6 "{$P, \"providerOptions\": {\"klingai\": {\"multiShot\": true, \"shotType\": \"customize\", \"multiPrompt\": [{\"index\": 1, \"prompt\": \"x\", \"duration\": \"5\"}]}}}" multiShot
run_case "multiShot needs multiPrompt" rule kling/kling-v3 "{$P, \"providerOptions\": {\"klingai\": {\"multiShot\": true, \"shotType\": \"customize\"}}}" multiPrompt
run_case "dynamicMasks at most 6" rule kling/kling-v2-6 "{$P, \"providerOptions\": {\"klingai\": {\"dynamicMasks\": [$MASK, $MASK, $MASK, $MASK, $MASK, $MASK, $MASK]}}}" dynamicMasks
run_case "trajectories 2-77 points" rule kling/kling-v2-6 "{$P, \"providerOptions\": {\"klingai\": {\"dynamicMasks\": [{\"mask\": \"https://example.com/m.png\", \"trajectories\": [{\"x\": 1, \"y\": 1}]}]}}}" trajectories
run_case "imageTail not with cameraControl" rule $GK "{$P, \"providerOptions\": {\"klingai\": {\"imageTail\": \"https://example.com/end.png\", \"cameraControl\": {\"type\": \"down_back\"}}}}" imageTail cameraControl
run_case "imageTail not with masks" rule kling/kling-v2-master "{$P, \"providerOptions\": {\"klingai\": {\"imageTail\": \"https://example.com/end.png\", \"staticMask\": \"https://example.com/m.png\"}}}" imageTail staticMask
run_case "cameraControl simple needs config" rule kling/kling-v2-6 "{$P, \"providerOptions\": {\"klingai\": {\"cameraControl\": {\"type\": \"simple\"}}}}" config
run_case "cameraControl axis in [-10, 10]" rule $GK "{$P, \"providerOptions\": {\"klingai\": {\"cameraControl\": {\"type\": \"simple\", \"config\": {\"zoom\": 11}}}}}" zoom 11
run_case "cameraControl type enum" rule kling/kling-v2-6 "{$P, \"providerOptions\": {\"klingai\": {\"cameraControl\": {\"type\": \"spin\"}}}}" type spin
run_case "Wan negativePrompt at most 500" rule $WAN "{$P, \"providerOptions\": {\"alibaba\": {\"negativePrompt\": \"$(printf 'x%.0s' $(seq 501))\"}}}" negativePrompt
run_case "Wan audioUrl wav or mp3" rule $WAN "{$P, \"providerOptions\": {\"alibaba\": {\"audioUrl\": \"https://example.com/a.ogg\"}}}" audioUrl
run_case "Grok duration 1-15" rule $GROK "{$P, \"duration\": 16}" duration 16
run_case "Grok resolution 480p|720p" rule $GROK "{$P, \"providerOptions\": {\"xai\": {\"resolution\": \"1080p\"}}}" resolution 1080p
run_case "Seedance v1.5 pro durations" rule $SD15 "{$P, \"duration\": 3}" duration 3
run_case "Seedance referenceImages only on lite" rule $SD15 "{$P, \"providerOptions\": {\"bytedance\": {\"referenceImages\": [\"$URL\"]}}}" referenceImages
run_case "Seedance lite referenceImages 1-4" rule $SDLITE "{\"prompt\": \"x\", \"providerOptions\": {\"bytedance\": {\"referenceImages\": [\"$URL\", \"$URL\", \"$URL\", \"$URL\", \"$URL\"]}}}" referenceImages
run_case "Seedance pro-fast takes no lastFrameImage" rule $SDFAST "{$P, \"providerOptions\": {\"bytedance\": {\"lastFrameImage\": \"$URL\"}}}" lastFrameImage
run_case "Seedance lite resolutions" rule $SDLITE "{$P, \"resolution\": \"1080p\"}" resolution 1080p
run_case "Krea duration enum" rule krea/kling/kling-2.5 "{$P, \"duration\": 7}" duration 7
run_case "Krea Veo 3.1 duration 4|6|8" rule krea/google/veo-3.1 "{$P, \"duration\": 5}" duration 5

small_png() { make_image "$1.png" 200x200; }
wide_png() { make_image "$1.png" 900x300; }
webp_img() { make_image "$1.webp" 480x320; }
huge_png() { make_image "$1.png" 480x320 && head -c $((11 * 1024 * 1024)) /dev/urandom >>"$1.png"; }
run_case "Kling image at least 300 px" image_rule kling/kling-v2-6 small_png 200x200 "300 px"
run_case "Kling image aspect 1:2.5 to 2.5:1" image_rule kling/kling-v2-6 wide_png "aspect ratio" 2.5
run_case "Kling image jpg or png" image_rule $GK webp_img webp jpeg
run_case "Kling image at most 10 MB" image_rule kling/kling-v2-6 huge_png "too large" 10485760

run_case "no secret in the mount or the daemon log" no_secrets
finish
