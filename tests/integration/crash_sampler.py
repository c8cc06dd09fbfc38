#!/usr/bin/env python3
"""The second process of crash_harness.py: samples every out/ folder of the
crash run as fast as it can, through the mount (or the watched folder).

    python3 crash_sampler.py JOBS_FILE EVENTS_FILE STOP_FILE

JOBS_FILE gains a line {"root", "dir", "frames"} per job the harness drops.
Every *.mp4 ever seen is read whole and probed (its frames must be the
job's), every *.json read must parse, no other name may appear in out/, and
a finished record never goes back to an earlier state. Problems and a final
{"event": "stats"} go to EVENTS_FILE as JSON lines; stops when STOP_FILE
exists (after one more pass).
"""

import json
import os
import subprocess
import sys
import tempfile
import time

ALLOWED = {"img.json", "img.mp4"}
TERMINAL = {"succeeded", "failed", "canceled"}


def probe_frames(path):
    p = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0",
                        "-count_frames", "-show_entries",
                        "stream=nb_read_frames", "-of",
                        "default=noprint_wrappers=1:nokey=1", path],
                       capture_output=True, text=True)
    try:
        return int(p.stdout.strip())
    except ValueError:
        return None


def sample_loop(jobs_file, events_file, stop_file):
    jobs = {}
    seen_mp4 = set()
    last_state = {}
    reported = set()
    stats = {"mp4": 0, "json": 0, "republished": 0}
    versions = {}  # path -> versions seen
    tmp = tempfile.NamedTemporaryFile(suffix=".mp4", delete=False)
    tmp.close()
    ev = open(events_file, "a")

    def emit(kind, what):
        if (kind, what) in reported:
            return
        reported.add((kind, what))
        ev.write(json.dumps({"event": kind, "what": what}) + "\n")
        ev.flush()

    last = False
    while True:
        if os.path.exists(stop_file):
            last = True
        try:
            with open(jobs_file) as f:
                for line in f:
                    j = json.loads(line)
                    jobs[os.path.join(j["root"], j["dir"])] = j["frames"]
        except (OSError, ValueError):
            pass
        for d, frames in list(jobs.items()):
            out = os.path.join(d, "out")
            try:
                names = os.listdir(out)
            except OSError:
                continue
            for name in names:
                path = os.path.join(out, name)
                if name not in ALLOWED:
                    emit("foreign", path)
                    continue
                if name.endswith(".json"):
                    try:
                        with open(path, "rb") as f:
                            text = f.read()
                    except OSError:
                        continue
                    stats["json"] += 1
                    try:
                        state = json.loads(text).get("state")
                    except ValueError:
                        emit("torn", "%s: %r" % (path, text[:120]))
                        continue
                    prev = last_state.get(path)
                    if prev in TERMINAL and state not in TERMINAL:
                        emit("rerun", "%s: %s then %s" % (path, prev, state))
                    last_state[path] = state
                    continue
                try:
                    st = os.stat(path)
                except OSError:
                    continue
                key = (path, st.st_size, st.st_mtime_ns)
                if key in seen_mp4:
                    continue
                try:
                    with open(path, "rb") as f, open(tmp.name, "wb") as t:
                        t.write(f.read())
                except OSError:
                    continue  # the daemon died while we read: try again
                seen_mp4.add(key)
                stats["mp4"] += 1
                versions.setdefault(path, 0)
                versions[path] += 1
                if versions[path] == 2:
                    stats["republished"] += 1
                got = probe_frames(tmp.name)
                if got != frames:
                    emit("partial", "%s: %s frames of %d (%d bytes)" %
                         (path, got, frames, st.st_size))
        if last:
            break
        time.sleep(0.01)  # two cores, shared: leave the daemon its share
    ev.write(json.dumps(dict(event="stats", **stats)) + "\n")
    ev.close()
    os.unlink(tmp.name)


if __name__ == "__main__":
    sample_loop(*sys.argv[1:4])
