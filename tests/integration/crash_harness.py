#!/usr/bin/env python3
"""Crash safety of i2vfs, with figures (issue 4, item 1).

    python3 tests/integration/crash_harness.py --bin build/i2vfs \
        [--kills N] [--seed S] [--watch-kills N] [--work DIR]

Starts the fake Gateway, Kling, Krea and Blob servers (tests/fake/run.py)
with slow submits, uploads and downloads and several polls per status, and
the daemon on a real FUSE mount (then, for some rounds, in watch mode on a
folder of its own). Drops a mix of jobs (offline renders, Wan through the
gateway with Blob uploads, Kling through the gateway, Kling direct with a
JWT, Krea with asset uploads), and kills the daemon with SIGKILL at random
moments (a seeded RNG: the seed is printed, --seed replays the schedule),
restarting it each time, until N kills are done and every job has ended.
A second process samples every out/ folder the whole time: each *.mp4 ever
seen must probe whole, each *.json ever read must parse, and no other name
may appear. Then it checks the store and the fakes' recordings and prints:
kills (and what was in flight at each), jobs, duplicates by kind, partials,
torn records, the seed. Exits 1 when a job did not end, ended twice or
failed, a duplicate was avoidable (or unavoidable but not in the record), a
partial or foreign file was seen in out/, or a record was torn; 77 without
FUSE.
"""

import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
CLOUD_FRAMES = 8  # the fakes' result video: 1 s, 8 frames

# Job kinds: the model folder, the request (@ is the job's unique prompt),
# and the frames of the result.
LOCAL_SMALL = {"duration": 2, "fps": 12, "resolution": "320x180"}
LOCAL_LONG = {"duration": 4, "fps": 24, "resolution": "640x360"}
KINDS = {
    "local": ("local/kenburns", LOCAL_SMALL, 24),
    "local-long": ("local/kenburns", LOCAL_LONG, 96),
    "gateway-wan": ("gateway/alibaba/wan-v2.6-i2v", {"prompt": "@"},
                    CLOUD_FRAMES),
    "gateway-kling": ("gateway/klingai/kling-v2.6-i2v",
                      {"prompt": "@", "duration": 5}, CLOUD_FRAMES),
    "kling": ("kling/kling-v2-6", {"prompt": "@"}, CLOUD_FRAMES),
    "krea": ("krea/kling/kling-2.5", {"prompt": "@"}, CLOUD_FRAMES),
}
KIND_WEIGHTS = [("local", 3), ("local-long", 2), ("gateway-wan", 2),
                ("gateway-kling", 2), ("kling", 2), ("krea", 2)]


from crash_procs import Daemon, Fakes, log  # noqa: E402  (beside this file)


class Job:
    def __init__(self, n, kind, mode, image, prompt):
        self.n, self.kind = n, kind
        model, request, frames = KINDS[kind]
        self.dir = "%s/crash%03d" % (model, n)
        self.frames = frames
        self.request = json.loads(json.dumps(request).replace("@", prompt))
        self.prompt = prompt
        self.image = image  # a file in the harness's image folder
        self.name = "img" + os.path.splitext(image)[1]
        self.dropped = False
        self.mode = mode


class Harness:
    def __init__(self, a):
        self.a = a
        self.rng = random.Random(a.seed)
        self.work = a.work or tempfile.mkdtemp(prefix="i2vfs-crash-")
        os.makedirs(self.work, exist_ok=True)
        self.jobs = []
        self.kills = 0
        self.kill_states = {}
        self.kills_by_mode = {}
        self.problems = []
        self.daemon_log = open(os.path.join(self.work, "daemon.log"), "a")
        self.fakes = Fakes(self.work, "%08x" % self.rng.getrandbits(32))
        self.images = self.make_images()

    def make_images(self):
        """Distinct pictures (Kling wants >= 300 px); a few are reused by
        two Wan jobs, which the Blob cache must upload once."""
        d = os.path.join(self.work, "images")
        os.makedirs(d, exist_ok=True)
        n = 40
        subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y",
                        "-f", "lavfi", "-i",
                        "testsrc2=size=480x320:rate=1", "-frames:v", str(n),
                        os.path.join(d, "p%03d.png")], check=True)
        subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y",
                        "-f", "lavfi", "-i",
                        "mandelbrot=size=480x320:rate=1", "-frames:v",
                        str(n), os.path.join(d, "j%03d.jpg")], check=True)
        return sorted(os.path.join(d, f) for f in os.listdir(d))

    def new_job(self, mode):
        n = len(self.jobs)
        kinds = [k for k, w in KIND_WEIGHTS for _ in range(w)]
        kind = self.rng.choice(kinds)
        wan_before = [j for j in self.jobs if j.kind == "gateway-wan"]
        if kind == "gateway-wan" and wan_before and self.rng.random() < 0.3:
            image = self.rng.choice(wan_before).image  # same bytes
        else:
            image = self.images[n % len(self.images)]
            if n >= len(self.images):  # fresh bytes: a comment chunk
                image = self.fresh_image(image, n)
        job = Job(n, kind, mode, image, "crash job %d seed %d" %
                  (n, self.a.seed))
        self.jobs.append(job)
        return job

    def fresh_image(self, base, n):
        out = os.path.join(self.work, "images", "x%04d%s" %
                           (n, os.path.splitext(base)[1]))
        subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y",
                        "-i", base, "-vf", "hue=h=%d" % (n * 7 % 360),
                        out], check=True)
        return out

    def drop(self, daemon, job):
        """request.json, then the image, as a user would (cp)."""
        d = os.path.join(daemon.root, job.dir)
        try:
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, "request.json"), "w") as f:
                json.dump(job.request, f)
            shutil.copyfile(job.image, os.path.join(d, job.name))
            job.dropped = True
        except OSError as e:
            log("drop of %s interrupted (%s); again after the restart" %
                (job.dir, e.strerror))
        with open(os.path.join(self.work, "sampler-jobs.txt"), "a") as f:
            f.write(json.dumps({"root": daemon.root, "dir": job.dir,
                                "frames": job.frames}) + "\n")

    def in_flight(self, daemon):
        """What is happening at this instant: exchanges the fakes are
        sleeping on, and the states of the jobs' records."""
        seen = set()
        for name, what in (("blob", "upload"), ("krea", None),
                           ("gateway", None), ("kling", None)):
            try:
                recs = self.fakes.ctl(name, "GET", "requests")
            except OSError:
                continue
            for r in recs:
                if "status" in r:
                    continue
                p = r["path"]
                if p.startswith("/files/"):
                    seen.add("mid-download")
                elif what or p.startswith("/assets"):
                    seen.add("mid-upload")
                elif r["method"] == "POST" and ("start" in p or
                                                "image2video" in p or
                                                "/generate/" in p):
                    seen.add("submit sent, task id not stored yet")
                else:
                    seen.add("mid-poll")
        for job in self.jobs:
            if job.mode != daemon.mode:
                continue
            rec = os.path.join(daemon.store, job.dir, "out", "img.json")
            try:
                with open(rec) as f:
                    st = json.load(f).get("state")
            except (OSError, ValueError):
                continue
            if st == "running" and job.kind.startswith("local"):
                seen.add("mid-render")
            elif st in ("running", "submitted"):
                seen.add("polling (task id stored)")
            elif st == "downloading":
                seen.add("mid-download")
            elif st == "queued":
                seen.add("a job queued")
        staging = os.path.join(daemon.store, ".i2vfs", "staging")
        try:
            if any(f.endswith(".mp4") for f in os.listdir(staging)):
                seen.add("a video in staging (being made or published)")
        except OSError:
            pass
        return seen

    def active(self, daemon):
        """Jobs of this round whose record is not final yet."""
        n = 0
        for job in self.jobs:
            if job.mode != daemon.mode:
                continue
            try:
                with open(os.path.join(daemon.store, job.dir, "out",
                                       "img.json")) as f:
                    st = json.load(f).get("state")
            except (OSError, ValueError):
                st = None
            if st not in ("succeeded", "failed", "canceled"):
                n += 1
        return n

    def all_ended(self, daemon):
        for job in self.jobs:
            if job.mode != daemon.mode:
                continue
            if not job.dropped:
                return False
            try:
                with open(os.path.join(daemon.store, job.dir, "out",
                                       "img.json")) as f:
                    if json.load(f).get("state") not in ("succeeded",
                                                         "failed",
                                                         "canceled"):
                        return False
            except (OSError, ValueError):
                return False
        return True

    def phase(self, mode, kills, first_jobs):
        store = os.path.join(self.work, mode + "-store")
        mnt = os.path.join(self.work, "mnt")
        os.makedirs(store, exist_ok=True)
        os.makedirs(mnt, exist_ok=True)
        env = dict(os.environ)
        for k in ("KLINGAI_API_KEY", "KLING_ACCESS_KEY", "KLING_SECRET_KEY"):
            env.pop(k, None)
        env.update(self.fakes.env(self.a.poll_ms))
        env["XDG_CONFIG_HOME"] = os.path.join(self.work, "config")
        env.setdefault("I2VFS_QUIET_MS", "150")
        d = Daemon(self.a.bin, mode, store, mnt, env, self.daemon_log)
        d.start()
        for _ in range(first_jobs):
            self.drop(d, self.new_job(mode))
        done = 0
        while done < kills:
            time.sleep(self.rng.uniform(0.05, self.a.max_gap))
            states = self.in_flight(d)
            d.kill()
            done += 1
            self.kills += 1
            self.kills_by_mode[mode] = self.kills_by_mode.get(mode, 0) + 1
            for s in states or {"idle"}:
                self.kill_states[s] = self.kill_states.get(s, 0) + 1
            log("kill %d (%s): %s" % (self.kills, mode,
                                      ", ".join(sorted(states)) or "idle"))
            if mode == "watch" and self.rng.random() < 0.3:
                self.drop(d, self.new_job(mode))  # dropped while it is down
            d.start()
            for job in self.jobs:
                if job.mode == mode and not job.dropped:
                    self.drop(d, job)
            if self.rng.random() < self.a.new_job_rate:
                self.drop(d, self.new_job(mode))
            # Keep work in flight, so that kills land in something.
            while done < kills and self.active(d) < self.a.min_active:
                self.drop(d, self.new_job(mode))
        deadline = time.time() + self.a.drain_s
        while time.time() < deadline and not self.all_ended(d):
            time.sleep(0.1)
            for job in self.jobs:
                if job.mode == mode and not job.dropped:
                    self.drop(d, job)
        if not self.all_ended(d):
            self.problems.append("%s: not every job ended within %d s after "
                                 "the last kill" % (mode, self.a.drain_s))
        # Let the sampler see the final state before the mount goes.
        time.sleep(0.5)
        rc = d.stop()
        if rc != 0:
            self.problems.append("%s: the daemon's clean exit returned %d" %
                                 (mode, rc))
        return store

    def run(self):
        need = self.a.kills
        watch_kills = self.a.watch_kills
        if watch_kills is None:
            watch_kills = need // 4 if need >= 4 else 0
        mount_kills = need - watch_kills
        self.fakes.start(self.a.delay_polls)
        try:
            self.fakes.slow_everything(self.a.submit_s, self.a.upload_s,
                                       self.a.download_s)
            stop_file = os.path.join(self.work, "sampler-stop")
            samples = os.path.join(self.work, "sampler.jsonl")
            open(os.path.join(self.work, "sampler-jobs.txt"), "w").close()
            sampler = subprocess.Popen(
                [sys.executable, os.path.join(HERE, "crash_sampler.py"),
                 os.path.join(self.work, "sampler-jobs.txt"), samples,
                 stop_file])
            t0 = time.time()
            stores = {}
            try:
                stores["mount"] = self.phase("mount", mount_kills,
                                             self.a.jobs)
                if watch_kills:
                    stores["watch"] = self.phase("watch", watch_kills,
                                                 max(2, self.a.jobs // 2))
            finally:
                open(stop_file, "w").close()
                try:
                    sampler.wait(60)
                except subprocess.TimeoutExpired:
                    sampler.kill()
            elapsed = time.time() - t0
            return self.report(stores, samples, elapsed)
        finally:
            self.fakes.stop()

    # ---- the checks ----

    def report(self, stores, samples, elapsed):
        figures = {"partials": 0, "torn": 0, "foreign": 0, "reruns": 0,
                   "mp4_seen": 0, "json_reads": 0,
                   "republished": 0}
        with open(samples) as f:
            for line in f:
                ev = json.loads(line)
                kind = ev["event"]
                if kind == "stats":
                    figures["mp4_seen"] += ev["mp4"]
                    figures["json_reads"] += ev["json"]
                    figures["republished"] += ev.get("republished", 0)
                elif kind in ("partial", "torn", "foreign", "rerun"):
                    key = {"rerun": "reruns"}.get(kind, kind + "s"
                                                  if kind == "partial"
                                                  else kind)
                    figures[key] += 1
                    self.problems.append("%s: %s" % (kind, ev.get("what")))
        ended = failed = 0
        for job in self.jobs:
            store = stores.get(job.mode)
            if store is None:
                continue
            ok, why = self.check_job(store, job)
            if ok:
                ended += 1
            else:
                failed += 1
                self.problems.append("%s (%s): %s" % (job.dir, job.kind, why))
        dups = self.duplicates(stores)
        leftovers = 0
        for store in stores.values():
            st = os.path.join(store, ".i2vfs", "staging")
            if os.path.isdir(st):
                leftovers += len(os.listdir(st))
        print()
        print("crash safety: seed %d" % self.a.seed)
        print("  kills            %d (%s) in %.0f s; at each, what was in "
              "flight:" % (self.kills, ", ".join(
                  "%s %d" % kv for kv in sorted(self.kills_by_mode.items())),
                  elapsed))
        for s, n in sorted(self.kill_states.items(), key=lambda x: -x[1]):
            print("    %-48s %d" % ("while " + s, n))
        print("  jobs             %d (%s): %d ended once as asked, %d not" %
              (len(self.jobs), ", ".join(
                  "%s %d" % (k, sum(1 for j in self.jobs if j.kind == k))
                  for k in KINDS if any(j.kind == k for j in self.jobs)),
               ended, failed))
        print("  duplicates       %d avoidable, %d unavoidable (krea) of "
              "which %d flagged in the record" %
              (dups["avoidable"], dups["krea"], dups["krea_flagged"]))
        for line in dups["lines"]:
            print("    " + line)
        print("  partials         %d (videos seen in out/: %d, each probed)" %
              (figures["partials"], figures["mp4_seen"]))
        print("  republished      %d videos published again after a kill "
              "between the video and its final record (whole both times)" %
              figures["republished"])
        print("  torn records     %d (records read: %d)" %
              (figures["torn"], figures["json_reads"]))
        print("  foreign names    %d (staging or temporary names in out/)" %
              figures["foreign"])
        print("  reruns           %d (a finished record that went back)" %
              figures["reruns"])
        print("  staging leftovers %d (hidden; cleared at the next start)" %
              leftovers)
        print("  seed             %d (replay: --seed %d --kills %d)" %
              (self.a.seed, self.a.seed, self.a.kills))
        unflagged = dups["krea"] - dups["krea_flagged"]
        checks = [
            ("every job ended once, as asked (%d of %d)" %
             (ended, len(self.jobs)), failed == 0 and ended == len(self.jobs)),
            ("no avoidable duplicate task (%d)" % dups["avoidable"],
             dups["avoidable"] == 0),
            ("every unavoidable duplicate is in its record (%d of %d)" %
             (dups["krea_flagged"], dups["krea"]), unflagged == 0),
            ("no partial video ever visible in out/ (%d)" %
             figures["partials"], figures["partials"] == 0),
            ("no torn record ever read (%d)" % figures["torn"],
             figures["torn"] == 0),
            ("no staging or temporary name in out/ (%d)" % figures["foreign"],
             figures["foreign"] == 0),
            ("no finished record went back (%d)" % figures["reruns"],
             figures["reruns"] == 0),
            ("the daemon exits cleanly after the last round",
             not any("clean exit" in p for p in self.problems)),
            ("the kills landed in %d kinds of moment" % len(self.kill_states),
             self.kills == 0 or len(self.kill_states) >= 1),
        ]
        passed = sum(1 for _, ok in checks if ok)
        for name, ok in checks:
            print("%s %s" % ("ok  " if ok else "FAIL", name))
        for p in self.problems:
            print("    " + p)
        print("%d passed, %d failed" % (passed, len(checks) - passed))
        if passed != len(checks):
            self.problems.append("a check failed")
        return 0 if passed == len(checks) else 1

    def check_job(self, store, job):
        out = os.path.join(store, job.dir, "out")
        if not job.dropped:
            return False, "never dropped"
        try:
            names = sorted(os.listdir(out))
        except OSError:
            return False, "no out/ folder"
        if names != ["img.json", "img.mp4"]:
            return False, "out/ holds %s" % names
        with open(os.path.join(out, "img.json")) as f:
            rec = json.load(f)
        job.record = rec
        if rec.get("state") != "succeeded":
            return False, "state %s: %s" % (rec.get("state"),
                                            (rec.get("error") or {}))
        o = rec.get("output") or {}
        if o.get("frames") != job.frames:
            return False, "record says %s frames, not %d" % (o.get("frames"),
                                                             job.frames)
        with open(os.path.join(out, "img.mp4"), "rb") as f:
            data = f.read()
        if hashlib.sha256(data).hexdigest() != o.get("sha256"):
            return False, "the video is not the one the record names"
        frames = probe_frames(os.path.join(out, "img.mp4"))
        if frames != job.frames:
            return False, "the video has %s frames" % frames
        return True, ""

    def duplicates(self, stores):
        """Tasks per job at each fake, by the job's unique prompt."""
        res = {"avoidable": 0, "krea": 0, "krea_flagged": 0, "lines": []}
        by_prompt = {j.prompt: j for j in self.jobs}
        rec = {n: self.fakes.ctl(n, "GET", "requests")
               for n in ("gateway", "kling", "krea", "blob")}
        for n, r in rec.items():
            if len(r) >= 10000:
                self.problems.append("the %s fake's recording is full: "
                                     "counts are incomplete" % n)
        tasks = {}  # job -> set of task identities
        sends = {}  # job -> submits sent
        for name in ("gateway", "kling", "krea"):
            for r in rec[name]:
                b = r.get("body")
                if r["method"] != "POST" or not isinstance(b, dict):
                    continue
                prompt = b.get("prompt")
                if isinstance(prompt, dict):
                    prompt = prompt.get("text")
                job = by_prompt.get(prompt)
                if job is None:
                    continue
                sends[job.n] = sends.get(job.n, 0) + 1
                if r.get("status") != 200:
                    continue  # refused: no task (Kling's repeated id)
                if name == "gateway":
                    ident = r["headers"].get("idempotency-key")
                elif name == "kling":
                    ident = b.get("external_task_id")
                else:
                    ident = "submit@%f" % r["time"]
                tasks.setdefault(job.n, set()).add(ident)
        resubmits = sum(max(0, sends[n] - 1) for n in sends)
        for job in self.jobs:
            t = tasks.get(job.n, set())
            if job.kind.startswith("local") or len(t) <= 1:
                continue
            flagged = bool((getattr(job, "record", None) or {}).get(
                "duplicate_risk"))
            if job.kind == "krea":
                res["krea"] += len(t) - 1
                if flagged:
                    res["krea_flagged"] += len(t) - 1
            else:
                res["avoidable"] += len(t) - 1
                res["lines"].append("avoidable: %s has %d tasks at %s" %
                                    (job.dir, len(t), job.kind))
        res["lines"].append(
            "submits sent again after a kill: %d (same key or id: "
            "harmless at the gateway and Kling)" % resubmits)
        # Blob: content-hash pathnames; a PUT again is the same bytes.
        puts = [r for r in rec["blob"] if r["method"] == "PUT"]
        paths = {}
        for r in puts:
            p = r["path"].split("pathname=", 1)[-1]
            paths.setdefault(p, []).append(r)
        again = sum(len(v) - 1 for v in paths.values())
        diff = sum(1 for v in paths.values()
                   if len({x.get("sha256") for x in v}) > 1)
        overwrite = sum(1 for v in paths.values() for x in v[1:]
                        if x.get("status") == 200)
        res["lines"].append(
            "blob: %d PUTs for %d content-hash names; %d again after a "
            "kill (%d stored as an idempotent overwrite of the same bytes, "
            "%d with other bytes)" % (len(puts), len(paths), again, overwrite,
                                      diff))
        if diff:
            res["avoidable"] += diff
        assets = [r for r in rec["krea"]
                  if r["method"] == "POST" and r["path"].startswith("/assets")]
        by_sha = {}
        for r in assets:
            f = ((r.get("body") or {}).get("multipart") or {}).get("file")
            key = json.dumps(f, sort_keys=True)[:200] if f else r["time"]
            by_sha[key] = by_sha.get(key, 0) + 1
        res["lines"].append(
            "krea assets: %d uploads of %d images (an upload again after a "
            "kill is one more stored asset, no task)" %
            (len(assets), len(by_sha)))
        return res


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


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bin", default="build/i2vfs")
    p.add_argument("--kills", type=int, default=6)
    p.add_argument("--watch-kills", type=int, default=None,
                   help="of the kills, in watch mode (default a quarter)")
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--jobs", type=int, default=8,
                   help="jobs dropped at the start of the mount rounds")
    p.add_argument("--new-job-rate", type=float, default=0.5,
                   help="chance of one more job after each restart")
    p.add_argument("--min-active", type=int, default=3,
                   help="jobs kept unfinished while kills remain")
    p.add_argument("--max-gap", type=float, default=2.0,
                   help="longest time between a restart and the next kill")
    p.add_argument("--delay-polls", type=int, default=3)
    p.add_argument("--poll-ms", type=int, default=150)
    p.add_argument("--submit-s", type=float, default=1.0)
    p.add_argument("--upload-s", type=float, default=0.7)
    p.add_argument("--download-s", type=float, default=0.8)
    p.add_argument("--drain-s", type=int, default=120)
    p.add_argument("--work", default=None)
    a = p.parse_args()
    if not os.path.exists("/dev/fuse") or not shutil.which("fusermount3"):
        print("skip: no /dev/fuse or fusermount3")
        return 77
    if a.seed is None:
        a.seed = int.from_bytes(os.urandom(4), "big")
    a.bin = os.path.realpath(a.bin)
    print("# seed %d (replay with --seed %d)" % (a.seed, a.seed), flush=True)
    h = Harness(a)
    try:
        return h.run()
    finally:
        mnt = os.path.join(h.work, "mnt")
        subprocess.run(["fusermount3", "-u", "-z", mnt],
                       stderr=subprocess.DEVNULL)
        if not a.work and not h.problems:
            shutil.rmtree(h.work, ignore_errors=True)
        elif h.problems:
            print("# kept %s (daemon.log, sampler.jsonl)" % h.work)


if __name__ == "__main__":
    sys.exit(main())
