#!/bin/bash
# make bench: the same 5 s 1080p zoom-in (120 frames at 24 fps, 1.6x, eased)
# from a 1920x1080 JPEG, every variant through libx264 veryfast CRF 20:
#   a  i2vfs's renderer (providers/local), end to end
#   b  the ffmpeg CLI recipe: upscale to 8000 px wide, then zoompan
#   c  zoompan without the upscale
#   d  the floor: a's frames rendered in advance, timed through x264 alone
# Runs are interleaved (a b c d, a b c d, ...); medians of BENCH_RUNS (7).
# Jitter: RMS distance (px) of each decoded frame's fitted zoom and position
# from a smooth path, measured at the frame corners.
# usage: scripts/bench.sh BUILD_DIR
set -euo pipefail

build=${1:-build}
runs=${BENCH_RUNS:-7}
frames=120
make --no-print-directory "$build/bench/bench_render" >/dev/null
tool=$build/bench/bench_render
work=$(mktemp -d "${TMPDIR:-/tmp}/i2vfs-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

src=$work/source.jpg
timeout 120 ffmpeg -nostdin -v error -f lavfi \
    -i "mandelbrot=size=1920x1080:end_pts=1" -frames:v 1 -q:v 2 "$src"

# zoom(t) = 1.6^ease(t), ease the same smootherstep as the renderer's.
u='(on/119)'
zoom="pow(1.6\,$u*$u*$u*($u*($u*6-15)+10))"
zp="zoompan=z='$zoom':x='iw/2-(iw/zoom/2)':y='ih/2-(ih/zoom/2)'"
zp="$zp:d=$frames:s=1920x1080:fps=24"
x264=(-c:v libx264 -preset veryfast -crf 20 -pix_fmt yuv420p
      -movflags +faststart)

now() { date +%s.%N; }
calc() { awk "BEGIN { print $* }"; }

run_variant() { # name → prints seconds
    local out=$work/$1.mp4 t0 t1
    case $1 in
    a) "$tool" render "$src" "$out" | awk '{print $2}' ;;
    d) "$tool" floor "$src" "$out" 2>/dev/null | awk '{print $2}' ;;
    b | c)
        local vf=$zp
        [ "$1" = b ] && vf="scale=8000:-1,$zp"
        t0=$(now)
        timeout 600 ffmpeg -nostdin -v error -y -i "$src" -vf "$vf" \
            -frames:v $frames "${x264[@]}" "$out"
        t1=$(now)
        calc "$t1 - $t0"
        ;;
    esac
}

median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

variants=(a b c d)
declare -A label=(
    [a]="i2vfs renderer"
    [b]="zoompan, 8000 px upscale"
    [c]="zoompan, no upscale"
    [d]="floor: encode only"
)
echo "i2vfs bench: $frames frames of 1080p, x264 veryfast CRF 20," \
    "$runs interleaved runs, $(nproc) cores"
for ((r = 1; r <= runs; r++)); do
    line="run $r:"
    for v in "${variants[@]}"; do
        s=$(run_variant "$v")
        echo "$s" >>"$work/$v.times"
        line="$line $v=${s:0:6}s"
    done
    echo "$line"
done

declare -A fps size jitter
for v in "${variants[@]}"; do
    med=$(median <"$work/$v.times")
    fps[$v]=$(calc "$frames / $med")
    size[$v]=$(stat -c %s "$work/$v.mp4")
    jitter[$v]=$("$tool" jitter "$src" "$work/$v.mp4" | awk '{print $2}')
done

echo
printf '%-28s %8s %10s %10s %10s %10s\n' variant fps "vs (b)" "vs (d)" \
    "MP4 KiB" "jitter px"
for v in "${variants[@]}"; do
    printf '%-28s %8.1f %9.2fx %9.2fx %10d %10.3f\n' \
        "($v) ${label[$v]}" "${fps[$v]}" \
        "$(calc "${fps[$v]} / ${fps[b]}")" \
        "$(calc "${fps[$v]} / ${fps[d]}")" \
        $((size[$v] / 1024)) "${jitter[$v]}"
done
echo
verdict() { awk "BEGIN { print ($*) ? \"met\" : \"missed\" }"; }
echo "targets: (a) >= 2.2x (b): $(verdict "${fps[a]} >= 2.2 * ${fps[b]}");" \
    "(a) within 20% of the floor: $(verdict "${fps[a]} * 1.2 >= ${fps[d]}");" \
    "(a) jitter <= 0.03 px: $(verdict "${jitter[a]} <= 0.03")"
