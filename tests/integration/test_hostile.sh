#!/bin/bash
# Hostile and mistaken input on a real FUSE mount: every case ends in a
# record with a one-sentence error (or the documented refusal), and the
# daemon keeps serving: a probe job succeeds at the end and it exits 0.
# Names, symlinks and many files at once: test_hostile_names.sh; watch
# mode: test_hostile_watch.sh.
#
# | #  | input                                        | expected                                        |
# |----|----------------------------------------------|-------------------------------------------------|
# | 1  | request.json with a trailing comma           | invalid JSON at line 1, column N                |
# | 2  | a key missing its closing quote              | invalid JSON at line, column                    |
# | 3  | unterminated object                          | invalid JSON at line, column                    |
# | 4  | error on line 3                              | "line 3" in the message                         |
# | 5  | a UTF-8 BOM before {                         | skipped: the request applies (succeeded)        |
# | 6  | empty file                                   | "(the file is empty)"                           |
# | 7  | whitespace only                              | "(the file is empty)"                           |
# | 8  | a JSON array                                 | must be a JSON object, not an array             |
# | 9  | a JSON string                                | must be a JSON object, not a string             |
# | 10 | null                                         | must be a JSON object, not null                 |
# | 11 | a number                                     | must be a JSON object, not a number             |
# | 12 | a NUL byte inside                            | invalid JSON … (a NUL byte)                     |
# | 13 | a key written twice                          | "duration" is written twice                     |
# | 14 | duration: "5"                                | names duration, wrong type                      |
# | 15 | fps: "fast"                                  | names fps                                       |
# | 16 | resolution: 720                              | names resolution                                |
# | 17 | aspectRatio: true                            | names aspectRatio                               |
# | 18 | prompt: 42                                   | names prompt                                    |
# | 19 | providerOptions: "x"                         | names providerOptions                           |
# | 20 | providerOptions.local.cameraControl: 5       | names cameraControl                             |
# | 20a| generateAudio: "yes"                         | names generateAudio                             |
# | 20b| seed: 1.5                                    | names seed                                      |
# | 20c| seed: "lucky"                                | names seed                                      |
# | 21 | duration: 99                                 | out of range (allowed: 1 to 15)                 |
# | 22 | duration: 0                                  | out of range                                    |
# | 23 | duration: -1                                 | out of range                                    |
# | 24 | fps: 100000                                  | names fps                                       |
# | 25 | resolution: "99999x99999"                    | names resolution                                |
# | 26 | aspectRatio: "7:3"                           | names aspectRatio and the allowed values        |
# | 27 | cameraControl zoom: 11                       | names zoom, range                               |
# | 28 | resizeMode: "stretch"                        | names resizeMode                                |
# | 29 | unknown option "durration"                   | did you mean "duration"                         |
# | 30 | unknown option "aspect_ratio"                | did you mean "aspectRatio"                      |
# | 31 | unknown option "cameraControll"              | did you mean "cameraControl"                    |
# | 32 | imageTail together with lastFrameImage       | cannot be used together: names both             |
# | 33 | cameraControl preset that does not exist     | names the allowed presets                       |
# | 34 | a 0-byte image                               | unreadable/empty image                          |
# | 35 | a truncated JPEG                             | names the image                                 |
# | 36 | a text file named .png                       | not a PNG                                       |
# | 37 | a GIF renamed .jpg                           | unsupported image                               |
# | 38 | a BMP renamed .jpg                           | unsupported image                               |
# | 39 | a PDF renamed .jpg                           | unsupported image                               |
# | 40 | a 100 MB image                               | EFBIG while written (past 50 MB); record: too large |
# | 41 | a 20000x20000 PNG header                     | too large to decode; VmHWM stays < 400 MB (1.5 GB under ASan)        |
# | 42 | a WebP whose header lies about its size      | names the image; memory bounded                 |
# | 43 | imageTail: "../../etc/passwd"                | not a file name in the folder                   |
# | 44 | imageTail: "/etc/passwd"                     | not a file name in the folder                   |
# | 45 | imageTail: "~/x"                             | waits for / names "~/x"                         |
# | 46 | imageTail: "file:///etc/passwd"              | refused: no URLs offline                        |
# | 47 | request.json of 10 MB                        | larger than 1048576 bytes, the most i2vfs reads |
# | 48 | 100000 '[' nesting                           | invalid JSON at … (nested deeper than 1000)     |
# | 49 | nested request.json files past the cap       | the effective request is larger than …          |
# | 50 | fixing request.json reruns the failed job    | succeeded                                       |
# | 51 | probe job at the end                         | succeeded                                       |
# | 52 | daemon exits 0 at unmount                    | (finish)                                        |
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
. "$(dirname "${BASH_SOURCE[0]}")/hostile_lib.sh"
need_fuse
M=$MNT/local/kenburns
make_fixtures || exit 1
start_mount || exit 1
export LC_ALL=C.UTF-8

# ---- invalid JSON: line and column --------------------------------------
run_case "trailing comma" request_case '{"duration": 1,}' \
    'invalid JSON at line 1, column [0-9]+'
run_case "missing quote" request_case '{"duration: 1}' \
    'invalid JSON at line 1, column [0-9]+'
run_case "unterminated object" request_case '{"duration": 1' \
    'invalid JSON at line 1, column [0-9]+'
run_case "error on line 3" request_case '{\n  "duration": 1,\n  "fps" 8\n}' \
    'invalid JSON at line 3, column [0-9]+'
# A BOM (as Windows editors write) is skipped: the request applies.
case_bom() {
    fresh || return 1
    printf '\xef\xbb\xbf%s' "$SMALL_REQUEST" >"$D/request.json" &&
        cp "$SRC/tiny.png" "$D/photo.png" && succeeds "$D" photo &&
        [ "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["request"]["resolution"])' "$D/out/photo.json")" = 160x96 ] ||
        fail "the request after the BOM was not applied"
}
run_case "UTF-8 BOM is skipped" case_bom
run_case "empty request.json" request_case '' 'the file is empty'
run_case "whitespace-only request.json" request_case '  \n\t\n' \
    'the file is empty'
run_case "a JSON array" request_case '[1, 2]' 'must be a JSON object.*an array'
run_case "a JSON string" request_case '"zoom in"' \
    'must be a JSON object.*a string'
run_case "null" request_case 'null' 'must be a JSON object.*null'
run_case "a number" request_case '42' 'must be a JSON object.*a number'
run_case "a NUL byte" request_case '{"duration": 1\x00}' 'NUL byte'
run_case "a key written twice" request_case '{"duration": 1, "duration": 2}' \
    '"duration" is written twice'

# ---- wrong types ----------------------------------------------------------
run_case "duration as a string" request_case '{"duration": "5"}' 'duration'
run_case "fps as a word" request_case '{"fps": "fast"}' 'fps'
run_case "resolution as a number" request_case '{"resolution": 720}' \
    'resolution'
run_case "aspectRatio as a boolean" request_case '{"aspectRatio": true}' \
    'aspectRatio'
run_case "prompt as a number" request_case '{"prompt": 42}' 'prompt'
run_case "providerOptions as a string" request_case \
    '{"providerOptions": "x"}' 'providerOptions'
run_case "cameraControl as a number" request_case \
    '{"providerOptions": {"local": {"cameraControl": 5}}}' 'cameraControl'
run_case "generateAudio as a word" request_case '{"generateAudio": "yes"}' \
    'generateAudio: "yes" must be'
run_case "seed as a fraction" request_case '{"seed": 1.5}' 'seed: 1.5'
run_case "seed as a string" request_case '{"seed": "lucky"}' 'seed: "lucky"'

# ---- out of range ---------------------------------------------------------
run_case "duration 99" request_case '{"duration": 99}' \
    'duration: 99 is out of range \(allowed: 1 to 15\)'
run_case "duration 0" request_case '{"duration": 0}' 'duration.*0'
run_case "duration -1" request_case '{"duration": -1}' 'duration.*-1'
run_case "fps 100000" request_case '{"fps": 100000}' 'fps.*100000'
run_case "resolution 99999x99999" request_case \
    '{"resolution": "99999x99999"}' 'resolution'
run_case "aspectRatio 7:3" request_case '{"aspectRatio": "7:3"}' \
    'aspectRatio.*7:3.*16:9'
run_case "zoom 11" request_case \
    '{"providerOptions": {"local": {"cameraControl": {"type": "simple", "config": {"zoom": 11}}}}}' \
    'zoom.*11'
run_case "resizeMode stretch" request_case \
    '{"providerOptions": {"local": {"resizeMode": "stretch"}}}' \
    'resizeMode.*stretch'

# ---- unknown options, did-you-mean ---------------------------------------
run_case "unknown durration" request_case '{"durration": 1}' \
    'durration.*did you mean "?duration'
run_case "unknown aspect_ratio" request_case '{"aspect_ratio": "1:1"}' \
    'aspect_ratio.*did you mean "?aspectRatio'
run_case "unknown cameraControll" request_case \
    '{"providerOptions": {"local": {"cameraControll": {"type": "simple"}}}}' \
    'cameraControll.*did you mean "providerOptions.local.cameraControl"'

# ---- options that cannot be combined -------------------------------------
run_case "imageTail with lastFrameImage" request_case \
    '{"providerOptions": {"local": {"imageTail": "tiny.png", "lastFrameImage": "tiny.png"}}}' \
    'imageTail.*lastFrameImage|lastFrameImage.*imageTail'
run_case "unknown cameraControl preset" request_case \
    '{"providerOptions": {"local": {"cameraControl": {"type": "moonwalk"}}}}' \
    'moonwalk'

# ---- images that are not what they say ------------------------------------
run_case "a 0-byte image" image_case empty.jpg "$SRC/empty.jpg" 'empty\.jpg'
run_case "a truncated JPEG" image_case cut.jpg "$SRC/truncated.jpg" 'cut\.jpg'
run_case "a text file named .png" image_case text.png "$SRC/text.png" \
    'text\.png'
run_case "a GIF renamed .jpg" image_case gif.jpg "$SRC/real.gif" 'gif\.jpg'
run_case "a BMP renamed .jpg" image_case bmp.jpg "$SRC/real.bmp" 'bmp\.jpg'
run_case "a PDF renamed .jpg" image_case pdf.jpg "$SRC/real.pdf" 'pdf\.jpg'

# A 100 MB image: the mount refuses the write that crosses 50 MB (EFBIG),
# so dd stops there instead of filling the disk, and the record of what
# was written says the image is too large.
case_huge_image() {
    local d err
    fresh || return 1
    d=$D
    echo "$SMALL_REQUEST" >"$d/request.json"
    if err=$( { head -c 1000 "$SRC/photo.jpg"
        head -c $((100 << 20)) /dev/zero; } 2>/dev/null |
        dd of="$d/huge.jpg" bs=1M iflag=fullblock 2>&1); then
        fail "writing 100 MB succeeded"
        return 1
    fi
    echo "    dd: $(echo "$err" | head -n 1)"
    echo "$err" | grep -q "File too large" || fail "not EFBIG: $err" ||
        return 1
    # One byte past the cap is kept, so the record can say "larger than".
    [ "$(stat -c %s "$d/huge.jpg")" -eq $(((50 << 20) + 1)) ] ||
        fail "size $(stat -c %s "$d/huge.jpg"), not 50 MB + 1" || return 1
    expect_failed "$d" huge 'huge\.jpg is larger than 50 MB'
}
run_case "a 100 MB image is refused while written" case_huge_image

# Decompression bombs: the daemon's peak memory stays bounded.
case_bomb() {
    image_case bomb.png "$SRC/bomb.png" 'bomb\.png' || return 1
    local hwm
    hwm=$(vm_kb VmHWM)
    echo "    VmHWM after the bomb: $hwm kB"
    [ "$hwm" -lt "$RSS_LIMIT_KB" ] || fail "VmHWM $hwm kB"
}
run_case "a 20000x20000 PNG header" case_bomb
case_webp_liar() {
    image_case liar.webp "$SRC/liar.webp" 'liar\.webp' || return 1
    local hwm
    hwm=$(vm_kb VmHWM)
    echo "    VmHWM after the WebP: $hwm kB"
    [ "$hwm" -lt "$RSS_LIMIT_KB" ] || fail "VmHWM $hwm kB"
}
run_case "a WebP whose header lies" case_webp_liar

# ---- asset names that point elsewhere -------------------------------------
asset_case() { # NAME REGEX
    request_case "{\"duration\": 1, \"fps\": 8, \"resolution\": \"160x96\", \"providerOptions\": {\"local\": {\"imageTail\": \"$1\"}}}" "$2"
}
run_case "imageTail ../../etc/passwd" asset_case ../../etc/passwd \
    'imageTail.*\.\./\.\./etc/passwd'
run_case "imageTail /etc/passwd" asset_case /etc/passwd 'imageTail.*/etc/passwd'
run_case "imageTail ~/x" asset_case '~/x' 'imageTail.*~/x'
run_case "imageTail file:///etc/passwd" asset_case file:///etc/passwd \
    'imageTail.*file:///etc/passwd'

# ---- sizes and depth --------------------------------------------------------
case_big_request() {
    local d
    fresh || return 1
    d=$D
    python3 -c "import sys; sys.stdout.write('{\"prompt\": \"' + 'a' * (10 << 20) + '\"}')" \
        >"$d/request.json" || return 1
    cp "$SRC/tiny.png" "$d/photo.png" &&
        expect_failed "$d" photo 'request\.json: larger than [0-9]+ bytes'
}
run_case "a 10 MB request.json" case_big_request
case_deep() {
    local d
    fresh || return 1
    d=$D
    python3 -c "import sys; sys.stdout.write('[' * 100000)" \
        >"$d/request.json" || return 1
    cp "$SRC/tiny.png" "$d/photo.png" &&
        expect_failed "$d" photo 'request\.json: invalid JSON at line 1, column 1001 \(nested deeper than 1000\)'
}
run_case "100000 nested [" case_deep
# Five folders, each request.json under the 1 MB cap, add up to more than
# a record can hold: the effective request is capped as a whole.
case_cascade_cap() {
    local d p i
    fresh || return 1
    d=$D
    p=$d
    for i in 1 2 3 4 5; do
        python3 -c "import sys; sys.stdout.write('{\"x$i\": \"' + 'a' * 900000 + '\"}')" \
            >"$p/request.json" || return 1
        mkdir "$p/f$i" && p=$p/f$i
    done
    cp "$SRC/tiny.png" "$p/photo.png" &&
        expect_failed "$p" photo 'effective request.*larger than'
}
run_case "nested request.json files past the cap" case_cascade_cap

# Fixing the file runs the failed job again.
case_fix_reruns() {
    local d
    fresh || return 1
    d=$D
    echo '{"duration": 99}' >"$d/request.json"
    cp "$SRC/tiny.png" "$d/photo.png"
    expect_failed "$d" photo 'duration' || return 1
    echo "$SMALL_REQUEST" >"$d/request.json"
    succeeds "$d" photo
}
run_case "fixing request.json reruns the job" case_fix_reruns

run_case "a probe job still succeeds" probe_job
finish
