#!/usr/bin/env python3
"""Writes the fuzzers' seed corpus, tests/fuzz/corpus/<target>/, from the
fixtures, the catalog's examples and a few hand-made inputs. Run it from the
repository root after the fixtures change; the output is checked in.
Tiny images are made with the ffmpeg command line (only when it is there;
otherwise the images already checked in are kept).

    python3 tests/fuzz/seed_corpus.py
"""
import glob
import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
import zlib

ROOT = "tests/fuzz/corpus"
SHA = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def put(target, data):
    """Stores data under its hash, as libFuzzer names corpus files."""
    if isinstance(data, str):
        data = data.encode()
    os.makedirs(os.path.join(ROOT, target), exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(ROOT, target, name), "wb") as f:
        f.write(data)


def cascade_seeds():
    """Folder request.json, trip/request.json, sidecar, split at NULs."""
    with open("providers/catalog.json") as f:
        catalog = json.load(f)
    examples = {m["folder"]: json.dumps(m["example"])
                for m in catalog["models"] if "example" in m}
    local, kling = examples["local/kenburns"], examples["kling/kling-v3"]
    chains = [
        [local],
        [local, "{\"duration\": 3}", "{\"prompt\": \"sidecar\"}"],
        [kling, "{\"providerOptions\": {\"klingai\": {\"mode\": \"pro\"}}}"],
        [kling, local, kling],
        ["{}", "{\"providerOptions\": null}", "{\"providerOptions\": {}}"],
        ["{\"prompt\": {\"text\": \"a\"}}", "{\"prompt\": \"flat\"}"],
        ["{}", "[]"],
        ["{}", "{\"a\": 1,}", "{}"],
        ["", "{}"],
    ]
    for chain in chains:
        put("fuzz_cascade", "\0".join(chain))


def request_seeds():
    for path in sorted(glob.glob("tests/fixtures/seeds/**/*.json", recursive=True)
                       + glob.glob("tests/fixtures/*/jobs/*.json")):
        with open(path, "rb") as f:
            put("fuzz_request", f.read())
    with open("providers/catalog.json") as f:
        catalog = json.load(f)
    for model in catalog["models"]:
        if "example" in model:
            put("fuzz_request", json.dumps(model["example"], indent=2))
    hostile = [
        "",
        "{}",
        "[]",
        "{\"duration\": 7,}",
        "{\"a\": 1, oops}",
        "{\n  \"prompt\": \"x\",\n  \"duration\": \"5\"\n}",
        "{\"prompt\": {\"text\": \"x\", \"image\": \"../../etc/passwd\"}}",
        "{\"prompt\": {\"text\": \"x\", \"image\": \"/etc/passwd\"}}",
        "{\"providerOptions\": {\"klingai\": {\"imageTail\": \"a\\nb.png\"}}}",
        "{\"providerOptions\": {\"klingai\": {\"dynamicMasks\": "
        "[{\"mask\": \"m.png\", \"trajectories\": [{\"x\": 1, \"y\": 2}]}]}}}",
        "{\"duration\": 1e999, \"fps\": -0, \"seed\": 9007199254740993}",
        "{\"prompt\": \"\\u0000\\ud800\"}",
        "[" * 1100 + "]" * 1100,
        "{\"a\":" * 300 + "1" + "}" * 300,
        "{\"prompt\": \"x\"}\u0000{}",
        "\ufeff{\"prompt\": \"bom\"}",
    ]
    for text in hostile:
        put("fuzz_request", text)


# What the fixture names mean as an HTTP status; 200 otherwise.
STATUS_WORDS = {
    "rate_limit": 429, "rate_limited": 429, "authentication": 401,
    "unauthorized": 401, "forbidden": 403, "internal": 500,
    "invalid_request": 400, "bad_request": 400, "model_not_found": 404,
    "not_documented": 418, "html": 502, "service_unavailable": 503,
    "store_suspended": 403, "no_code": 400,
}


def status_of(name):
    m = re.search(r"error_(\d{3})", name)
    if m:
        return int(m.group(1))
    if name.startswith("error_"):
        for word, status in STATUS_WORDS.items():
            if word in name:
                return status
        return 400
    return 200


def reply_seeds():
    for provider in ("gateway", "kling", "krea", "blob"):
        for path in sorted(glob.glob(f"tests/fixtures/{provider}/*")):
            name = os.path.basename(path)
            if os.path.isdir(path) or name.endswith(".md"):
                continue
            with open(path, "rb") as f:
                body = f.read()
            for pick in (0, 1):
                put("fuzz_replies", struct.pack(">HB", status_of(name), pick)
                    + body)
    put("fuzz_replies", struct.pack(">HB", 200, 0))
    put("fuzz_replies", struct.pack(">HB", 0, 0) + b"{}")
    put("fuzz_replies", struct.pack(">HB", 65535, 2) + b"{\"error\":{}}")
    long = b"m" * 2000
    put("fuzz_replies", struct.pack(">HB", 400, 0)
        + b"{\"error\": {\"message\": \"" + long + b"\"}}")
    put("fuzz_replies", struct.pack(">HB", 200, 0)
        + b"{\"status\": \"error\", \"error\": \"" + long + b"\"}")


def record(**fields):
    rec = {
        "state": "succeeded", "progress": 100, "error": None,
        "model": "local/kenburns", "source": "photo.jpg",
        "image": {"name": "photo.jpg", "sha256": SHA},
        "request": {"prompt": "x", "duration": 5},
        "key": SHA, "provider": {"name": "local"},
        "created_at": "2026-11-21T12:00:00Z",
        "started_at": "2026-11-21T12:00:01Z",
        "finished_at": "2026-11-21T12:00:09Z", "attempts": 1,
        "output": {"file": "photo.mp4", "bytes": 12345, "sha256": SHA,
                   "duration_s": 5, "width": 1280, "height": 720, "fps": 24,
                   "codec": "h264", "profile": "High",
                   "pix_fmt": "yuv420p", "frames": 120},
    }
    rec.update(fields)
    return json.dumps(rec, indent=2) + "\n"


def record_seeds():
    put("fuzz_record", record())
    put("fuzz_record", record(state="failed", progress=None, output=None,
                              error={"code": "invalid_request",
                                     "message": "duration: 7 is not allowed"}))
    put("fuzz_record", record(state="waiting", progress=None, output=None,
                              finished_at=None, waiting_for="end.png",
                              message="waiting for end.png"))
    put("fuzz_record", record(
        state="running", progress=40, output=None, finished_at=None,
        model="kling/kling-v2-6",
        provider={"name": "kling", "task_id": "image2video/8123",
                  "status": "processing",
                  "idempotency_key": "i2vfs-" + SHA[:32]},
        request={"prompt": {"text": "x", "image": "sha256:" + SHA}}))
    put("fuzz_record", record(state="canceled", copied_from="a/out/b.mp4"))
    put("fuzz_record", record(progress=1e300, attempts=-1e300,
                              output={"bytes": 1e300, "frames": -1e30,
                                      "width": 1e10, "fps": 1e308}))
    put("fuzz_record", "{\"state\": \"nonsense\"}")
    put("fuzz_record", "")


def png_chunk(kind, data):
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def png_header(width, height):
    """A PNG with an IHDR only: a decompression bomb's header."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr)


def exif_app1(orientation):
    """An APP1 EXIF segment that holds only the orientation tag."""
    tiff = b"MM\x00\x2a" + struct.pack(">I", 8) + struct.pack(">H", 1)
    tiff += struct.pack(">HHIHH", 0x0112, 3, 1, orientation, 0)
    tiff += struct.pack(">I", 0)
    body = b"Exif\x00\x00" + tiff
    return b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body


def webp_that_lies(webp):
    """A VP8X header that says 1x1 in front of a still image's chunk."""
    vp8x = b"VP8X" + struct.pack("<I", 10) + bytes(10)
    body = b"WEBP" + vp8x + webp[12:]
    return b"RIFF" + struct.pack("<I", len(body)) + body


def image_seeds():
    put("fuzz_imghdr", png_header(20000, 20000))
    put("fuzz_imghdr", png_header(1, 1))
    put("fuzz_imghdr", b"\xff\xd8\xff")
    put("fuzz_imghdr", b"RIFF\x00\x00\x00\x00WEBPVP8X" + bytes(18))
    put("fuzz_imghdr", b"not an image at all")
    if not shutil.which("ffmpeg"):
        return
    with tempfile.TemporaryDirectory() as tmp:
        outputs = [
            ("a.jpg", ["-pix_fmt", "yuvj420p"]),
            ("b.jpg", ["-pix_fmt", "gray"]),
            ("c.png", ["-pix_fmt", "rgb24"]),
            ("d.png", ["-pix_fmt", "rgba"]),
            ("e.png", ["-pix_fmt", "pal8"]),
            ("f.png", ["-pix_fmt", "gray16be"]),
            ("g.webp", ["-c:v", "libwebp", "-lossless", "0"]),
            ("h.webp", ["-c:v", "libwebp", "-lossless", "1"]),
        ]
        for name, args in outputs:
            out = os.path.join(tmp, name)
            # The lossless WebP is large but compresses to a few bytes.
            src = ("color=c=black:s=2000x2000" if name == "h.webp"
                   else "testsrc=size=8x6:rate=1")
            cmd = ["ffmpeg", "-loglevel", "error", "-f", "lavfi", "-i", src,
                   "-frames:v", "1"] + args + [out]
            if subprocess.run(cmd).returncode != 0:
                continue
            with open(out, "rb") as f:
                data = f.read()
            put("fuzz_imghdr", data)
            if name == "h.webp":
                put("fuzz_imghdr", webp_that_lies(data))
            if name == "a.jpg":
                put("fuzz_imghdr", data[:2] + exif_app1(6) + data[2:])
                put("fuzz_imghdr", data[: len(data) // 2])


def main():
    shutil.rmtree(ROOT, ignore_errors=True)
    request_seeds()
    cascade_seeds()
    reply_seeds()
    record_seeds()
    image_seeds()


if __name__ == "__main__":
    main()
