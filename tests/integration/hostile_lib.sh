# Helpers of the hostile-input tests (test_hostile*.sh): drop a request or
# an image into a fresh folder of local/kenburns and check the one-sentence
# error of its record; a probe job shows the daemon is still serving.
# Source after lib.sh, with M set to the model folder (mount or store).

SRC=$WORK/src
mkdir -p "$SRC"
N=0

# fresh: makes a new, empty case folder under $M and sets D to it.
fresh() {
    N=$((N + 1))
    D=$M/h$N
    mkdir "$D"
}

# one_sentence MESSAGE: non-empty, one line, no control characters, short.
one_sentence() {
    [ -n "$1" ] || fail "empty error message" || return 1
    [ "${#1}" -le 400 ] || fail "error longer than 400 characters: $1" ||
        return 1
    [[ "$1" != *$'\n'* ]] || fail "a newline in the error: $(printf '%q' "$1")" ||
        return 1
    ! printf '%s' "$1" | LC_ALL=C grep -q '[[:cntrl:]]' ||
        fail "control characters in the error: $(printf '%q' "$1")"
}

# expect_failed DIR STEM REGEX: out/STEM.json ends failed with a
# one-sentence error matching REGEX (grep -E, case-insensitive).
expect_failed() {
    local rec=$1/out/$2.json msg
    wait_for 20 state_is "$rec" failed ||
        fail "no failed record $2.json: $(head -c 300 "$rec" 2>/dev/null)" ||
        return 1
    msg=$(record_field "$rec" error)
    echo "    error: $msg"
    one_sentence "$msg" || return 1
    printf '%s' "$msg" | grep -qiE -- "$3" ||
        fail "error does not match /$3/"
}

# request_case REQUEST_TEXT REGEX: request.json holds the text (printf %b,
# so \n and \xNN work); an image beside it must fail with REGEX.
request_case() {
    local d
    fresh || return 1
    d=$D
    printf '%b' "$1" >"$d/request.json" &&
        cp "$SRC/tiny.png" "$d/photo.png" &&
        expect_failed "$d" photo "$2"
}

# image_case NAME FILE REGEX: FILE dropped as NAME fails with REGEX.
image_case() {
    local d
    fresh || return 1
    d=$D
    echo "$SMALL_REQUEST" >"$d/request.json" &&
        cp "$2" "$d/$1" &&
        expect_failed "$d" "${1%.*}" "$3"
}

# succeeds DIR STEM: the job ends succeeded with its video in out/.
succeeds() {
    wait_for 120 state_is "$1/out/$2.json" succeeded ||
        fail "$2: state $(record_field "$1/out/$2.json" state), error $(record_field "$1/out/$2.json" error)" ||
        return 1
    [ -s "$1/out/$2.mp4" ] || fail "no $2.mp4"
}

# probe_job: a good image in a fresh folder still renders.
probe_job() {
    local d
    fresh || return 1
    d=$D
    echo "$SMALL_REQUEST" >"$d/request.json" &&
        cp "$SRC/tiny.png" "$d/probe.png" && succeeds "$d" probe
}

# The daemon's memory may stay below this (kB); a sanitizer's shadow memory
# and quarantine need more.
if ldd "$I2VFS_BIN" 2>/dev/null | grep -q libasan; then
    RSS_LIMIT_KB=${RSS_LIMIT_KB:-1500000}
else
    RSS_LIMIT_KB=${RSS_LIMIT_KB:-400000}
fi

# vm_kb FIELD: the daemon's VmHWM / VmRSS … in kB.
vm_kb() {
    awk -v f="$1:" '$1 == f { print $2 }' "/proc/$DAEMON_PID/status"
}

# fd_count: open fds of the daemon.
fd_count() {
    ls "/proc/$DAEMON_PID/fd" | wc -l
}

# png_header W H FILE: a PNG whose IHDR claims W x H, with one tiny IDAT.
png_header() {
    python3 - "$@" <<'PY'
import struct, sys, zlib
w, h, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
idat = zlib.compress(b"\0" * 64)
open(path, "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) +
                       chunk(b"IDAT", idat) + chunk(b"IEND", b""))
PY
}

# make_fixtures: the images the cases drop, in $SRC.
make_fixtures() {
    make_image "$SRC/tiny.png" 64x48 &&
        make_image "$SRC/photo.jpg" 320x240 &&
        head -c 2000 "$SRC/photo.jpg" >"$SRC/truncated.jpg" &&
        : >"$SRC/empty.jpg" &&
        echo "this is not a picture" >"$SRC/text.png" &&
        ffmpeg -nostdin -loglevel error -y -f lavfi -i testsrc2=size=64x48 \
            -frames:v 1 "$SRC/real.gif" &&
        ffmpeg -nostdin -loglevel error -y -f lavfi -i testsrc2=size=64x48 \
            -frames:v 1 "$SRC/real.bmp" &&
        printf '%%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%%%EOF\n' \
            >"$SRC/real.pdf" &&
        png_header 20000 20000 "$SRC/bomb.png" &&
        python3 - "$SRC/liar.webp" <<'PY'
import struct, sys
# RIFF says 1 GB, VP8X says 16384 x 16384, and there is nothing after it.
vp8x = b"VP8X" + struct.pack("<I", 10) + b"\0\0\0\0" + \
       (16383).to_bytes(3, "little") + (16383).to_bytes(3, "little")
open(sys.argv[1], "wb").write(b"RIFF" + struct.pack("<I", 1 << 30) +
                              b"WEBP" + vp8x)
PY
}
