"""Shared machinery of the fake provider servers (tests/fake/): the Fake
base class (tasks and their status walk, stored files, fault rules, the real
small MP4 made with ffmpeg at start) and helpers. A provider module
(gateway.py, kling.py, krea.py, blob.py) subclasses Fake and implements
handle() and error_body(); server.py serves it on 127.0.0.1, port 0,
printing "PORT <n>" as its first stdout line, and records every request.

Control API (never recorded, never faulted):
  GET  /_fake/requests      the recording, a JSON list
  POST /_fake/reset         clears the recording and the fault rules
  POST /_fake/faults        JSON list of rules (replaces the current ones)
  GET  /_fake/faults        the rules with the uses they have left
  POST /_fake/config        {"delay_polls": N, "clock_skew": S,
                             "inline_video": bool}
  GET  /_fake/tasks         every task: id, status, polls, external id
A fault rule: {"method": "POST", "path": "/v1/videos" (a prefix, or
"*part" for any path containing part), "times": 1 (-1: always), then one
of "status": 429|500|502|503… (with "retry_after", "retry_after_ms"), or
"fault": drop | reset_mid_body | slow ("seconds") | malformed_json |
truncate | corrupt | result_404 | task_failed ("message") | never_finish}.
"""

import base64
import os
import shutil
import subprocess
import tempfile
import threading
import time
import uuid

MAX_BODY = 100 * 1024 * 1024  # Krea accepts 75 MB assets
MAX_RECORDS = 10000
MAX_TASKS = 10000
MAX_STORED = 512 * 1024 * 1024  # bytes of uploads kept in memory
MAX_SLOW_S = 10.0
DOWNLOAD_FAULTS = ("truncate", "corrupt", "result_404", "redirect")
TASK_FAULTS = ("task_failed", "never_finish")
FILES_PREFIX = "/files/"


def make_mp4():
    """Returns the bytes of a 1 s 160x96 H.264 yuv420p faststart MP4."""
    tmp = tempfile.mkdtemp(prefix="i2vfs-fake-")
    try:
        out = os.path.join(tmp, "result.mp4")
        subprocess.run(
            ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi",
             "-i", "testsrc2=size=160x96:rate=8", "-t", "1", "-c:v",
             "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart",
             out],
            check=True, timeout=60)
        with open(out, "rb") as f:
            return f.read()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def is_b64(text):
    try:
        base64.b64decode(text, validate=True)
        return True
    except Exception:
        return False


def image_magic(data):
    """'image/png', 'image/jpeg', 'image/webp' or None from the bytes."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def type_name(v):
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    if isinstance(v, dict):
        return "object"
    return "null"


class Reply(Exception):
    """Raised by a handler to answer with status and a JSON body."""

    def __init__(self, status, body, headers=None):
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}


class Task:
    """A provider task: its pending statuses, one per poll, then final."""

    def __init__(self, tid, statuses, final, fate=None, message=None,
                 first="pending"):
        self.id = tid
        self.first = first  # the status the submit reply shows
        self.statuses = statuses  # pending statuses, one per poll
        self.final = final
        self.fate = fate  # None, "task_failed", "never_finish"
        self.message = message
        self.polls = 0
        self.extra = {}

    def current(self):
        """(status word, done) as of the last poll."""
        if self.polls == 0:
            return self.first, False
        if self.polls <= len(self.statuses):
            return self.statuses[self.polls - 1], False
        if self.fate == "never_finish":
            return self.statuses[-1], False
        return self.final, True

    def advance(self):
        """Counts one poll; returns (status word, done)."""
        self.polls += 1
        return self.current()


class Fake:
    """One fake API. Subclasses set NAME and implement handle()."""

    NAME = "fake"
    PENDING = ["pending"]
    FINAL = "completed"

    def __init__(self, args):
        self.args = args
        self.lock = threading.Lock()
        self.records = []
        self.rules = []
        self.tasks = {}
        self.files = {}  # path under /files/ -> (bytes, content type)
        self.delay_polls = args.delay_polls
        self.clock_skew = args.clock_skew
        self.inline_video = args.inline_video
        self.mp4 = make_mp4()
        self.port = 0

    # ---- helpers for provider modules ----

    def now(self):
        return time.time() + self.clock_skew

    def base_url(self):
        return "http://127.0.0.1:%d" % self.port

    def put_file(self, name, data, ctype):
        with self.lock:
            stored = sum(len(d) for d, _ in self.files.values())
            if stored + len(data) > MAX_STORED:
                raise Reply(507, self.error_body(507, "fake store is full"))
            self.files[name] = (data, ctype)
        return self.base_url() + FILES_PREFIX + name

    def result_url(self, task):
        name = "results/%s.mp4" % task.id
        with self.lock:
            self.files.setdefault(name, (self.mp4, "video/mp4"))
        return self.base_url() + FILES_PREFIX + name

    def new_task(self, tid, fault):
        reps = max(self.delay_polls, 0)
        fate = fault.get("fault") if fault else None
        if fate == "never_finish":
            reps = max(reps, 1)
        statuses = [s for s in self.PENDING for _ in range(reps)]
        task = Task(tid, statuses, self.FINAL, fate,
                    fault.get("message") if fault else None, self.PENDING[0])
        with self.lock:
            if len(self.tasks) >= MAX_TASKS:
                raise Reply(503, self.error_body(503, "too many tasks"))
            self.tasks[tid] = task
        return task

    def find_task(self, tid):
        with self.lock:
            return self.tasks.get(tid)

    def bearer(self, headers):
        """The bearer token of the request, or None."""
        auth = headers.get("authorization")
        if auth is None or not auth.startswith("Bearer "):
            return None
        return auth[len("Bearer "):]

    def take_fault(self, method, path, kinds):
        """Consumes and returns the first matching rule of the given kinds
        ("api": status and connection faults)."""
        with self.lock:
            for rule in self.rules:
                if rule.get("_left", 0) == 0:
                    continue
                if rule.get("method") and rule["method"] != method:
                    continue
                want = rule.get("path", "")
                if want.startswith("*"):
                    if want[1:] not in path:
                        continue
                elif not path.startswith(want):
                    continue
                kind = rule.get("fault")
                if kinds == "api":
                    if kind in DOWNLOAD_FAULTS or kind in TASK_FAULTS:
                        continue
                elif kind not in kinds:
                    continue
                if rule["_left"] > 0:
                    rule["_left"] -= 1
                rule["_used"] = rule.get("_used", 0) + 1
                return rule
        return None

    # ---- to be provided by a provider module ----

    def handle(self, req):
        raise Reply(404, self.error_body(404, "not found"))

    def error_body(self, status, message, code=None):
        return {"error": message}


def new_id():
    return str(uuid.uuid4())
