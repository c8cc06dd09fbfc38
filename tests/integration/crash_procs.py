#!/usr/bin/env python3
"""The processes the crash harness (crash_harness.py) drives: the fake
provider servers (tests/fake/run.py) with their control API, and the i2vfs
daemon on a mount or a watched folder, started, killed and stopped."""

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
FAKE_RUN = os.path.join(HERE, "..", "fake", "run.py")


def log(msg):
    print("# " + msg, flush=True)


class Fakes:
    def __init__(self, work, salt):
        self.work = work
        self.keys = {
            "gateway": "gwkey-%s-SECRET" % salt,
            "kling_ak": "klingak-%s-SECRET" % salt,
            "kling_sk": "klingsk-%s-SECRET" % salt,
            "krea": "kreakey-%s-SECRET" % salt,
            "blob": "vercel_blob_rw_%s-SECRET" % salt,
        }
        self.procs = {}
        self.url = {}

    def start(self, delay_polls):
        k = self.keys
        args = {
            "gateway": ["--key", k["gateway"]],
            "kling": ["--access-key", k["kling_ak"], "--secret-key",
                      k["kling_sk"]],
            "krea": ["--key", k["krea"]],
            "blob": ["--key", k["blob"]],
        }
        for name, extra in args.items():
            out = open(os.path.join(self.work, "fake-%s.out" % name), "w+")
            err = open(os.path.join(self.work, "fake-%s.err" % name), "w")
            p = subprocess.Popen([sys.executable, FAKE_RUN, name,
                                  "--delay-polls", str(delay_polls)] + extra,
                                 stdout=out, stderr=err)
            self.procs[name] = (p, out, err)
        deadline = time.time() + 30
        for name, (p, out, _) in self.procs.items():
            while True:
                out.seek(0)
                line = out.readline()
                if line.startswith("PORT "):
                    self.url[name] = "http://127.0.0.1:%d" % int(line[5:])
                    break
                if time.time() > deadline or p.poll() is not None:
                    raise RuntimeError("fake %s did not start" % name)
                time.sleep(0.05)

    def stop(self):
        for p, out, err in self.procs.values():
            p.terminate()
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
            out.close()
            err.close()

    def ctl(self, name, method, what, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url[name] + "/_fake/" + what,
                                     data=data, method=method,
                                     headers={"Content-Type":
                                              "application/json"})
        with urllib.request.urlopen(req, timeout=20) as r:
            return json.loads(r.read())

    def slow_everything(self, submit_s, upload_s, download_s):
        """Wide windows: the submit reply (the fake makes the task after the
        sleep, as a provider whose reply is lost), uploads and downloads."""
        slow = lambda method, path, s: {"method": method, "path": path,
                                        "times": -1, "fault": "slow",
                                        "seconds": s}
        self.ctl("gateway", "POST", "faults", [
            slow("POST", "*video-model/start", submit_s),
            slow("GET", "/files/results", download_s)])
        self.ctl("kling", "POST", "faults", [
            slow("POST", "/v1/videos/image2video", submit_s),
            slow("GET", "/files/results", download_s)])
        self.ctl("krea", "POST", "faults", [
            slow("POST", "/generate/", submit_s),
            slow("POST", "/assets", upload_s),
            slow("GET", "/files/results", download_s)])
        self.ctl("blob", "POST", "faults", [slow("PUT", "/", upload_s)])

    def env(self, poll_ms):
        k = self.keys
        return {
            "I2VFS_GATEWAY_URL": self.url["gateway"],
            "I2VFS_KLING_URL": self.url["kling"],
            "I2VFS_KREA_URL": self.url["krea"],
            "I2VFS_BLOB_URL": self.url["blob"],
            "VERCEL_BLOB_API_URL": self.url["blob"],
            "AI_GATEWAY_API_KEY": k["gateway"],
            "KLINGAI_ACCESS_KEY": k["kling_ak"],
            "KLINGAI_SECRET_KEY": k["kling_sk"],
            "KREA_API_KEY": k["krea"],
            "BLOB_READ_WRITE_TOKEN": k["blob"],
            "I2VFS_POLL_MS": str(poll_ms),
            "I2VFS_RETRY_BASE_MS": "50",
        }


class Daemon:
    """The daemon on a mount (mode "mount") or a folder (mode "watch")."""

    def __init__(self, binary, mode, store, mnt, env, logf):
        self.binary, self.mode, self.store, self.mnt = binary, mode, store, mnt
        self.env, self.logf, self.proc = env, logf, None

    @property
    def root(self):
        return self.mnt if self.mode == "mount" else self.store

    def start(self, deadline_s=30):
        if self.mode == "mount":
            cmd = [self.binary, "-f", "--store", self.store, self.mnt]
        else:
            cmd = [self.binary, "watch", self.store]
        self.proc = subprocess.Popen(cmd, env=self.env, stdout=self.logf,
                                     stderr=self.logf)
        deadline = time.time() + deadline_s
        probe = os.path.join(self.root, "gateway/klingai/kling-v2.6-i2v")
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("the daemon exited with %d at start" %
                                   self.proc.returncode)
            # listdir needs the daemon: a dead mount's cached attributes
            # answer stat for a second after the kill.
            try:
                if (self.mode == "watch" or os.path.ismount(self.mnt)) and \
                        "kling-v2.6-i2v" in os.listdir(os.path.dirname(probe)):
                    return
            except OSError:
                pass
            time.sleep(0.02)
        raise RuntimeError("the daemon did not come up in %d s" % deadline_s)

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.proc = None

    def stop(self):
        if self.proc is None:
            return 0
        # The sampler may hold a file open for a moment (EBUSY): try again,
        # then SIGTERM, which unmounts cleanly too.
        for _ in range(20 if self.mode == "mount" else 0):
            if subprocess.run(["fusermount3", "-u", self.mnt],
                              stderr=subprocess.DEVNULL).returncode == 0:
                break
            time.sleep(0.1)
        else:
            self.proc.terminate()
        try:
            rc = self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.proc = None
        return rc
