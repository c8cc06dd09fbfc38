"""The HTTP side of the fakes: one ThreadingHTTPServer on 127.0.0.1 that
records every request, applies the fault rules, serves /files/ downloads
and the control API, and hands the rest to a Fake's handle() (common.py).
"""

import hashlib
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from common import (DOWNLOAD_FAULTS, FILES_PREFIX, MAX_BODY, MAX_RECORDS,
                    MAX_SLOW_S, Reply)


def redact(headers):
    """Lower-case header names; Authorization cut to its scheme, with the
    sha256 of its credential (the key, token or JWT) as
    authorization-sha256, so a test can look for it without the fake
    keeping it."""
    out = {}
    for k, v in headers.items():
        k = k.lower()
        if k == "authorization" and v:
            scheme, _, cred = v.partition(" ")
            out["authorization-sha256"] = hashlib.sha256(
                cred.encode()).hexdigest()
            v = scheme
        out[k] = v
    return out


class Request:
    """What a provider module's handle() reads."""

    def __init__(self, method, target, headers, raw):
        self.method = method
        self.target = target
        parts = urlsplit(target)
        self.path = parts.path
        self.query = parts.query
        self.headers = headers  # lower-case names
        self.raw = raw
        self.json = None
        self.record = None

    def header(self, name):
        return self.headers.get(name.lower())


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "i2vfs-fake"
    fake = None  # set by serve()

    def log_message(self, fmt, *args):
        if self.fake.args.verbose:
            sys.stderr.write("%s %s\n" % (self.fake.NAME, fmt % args))

    def do_GET(self):
        self.dispatch()

    def do_POST(self):
        self.dispatch()

    def do_PUT(self):
        self.dispatch()

    def do_DELETE(self):
        self.dispatch()

    def do_HEAD(self):
        self.dispatch()

    # ---- body and replies ----

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks, total = [], 0
            while True:
                line = self.rfile.readline(1024)
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n",
                                                            b""):
                        pass
                    return b"".join(chunks)
                total += size
                if total > MAX_BODY:
                    raise Reply(413, {"error": "body too large"})
                chunks.append(self.rfile.read(size))
                self.rfile.readline(16)
        n = int(self.headers.get("Content-Length") or 0)
        if n > MAX_BODY:
            raise Reply(413, {"error": "body too large"})
        return self.rfile.read(n) if n > 0 else b""

    def send(self, status, body, ctype="application/json", headers=None,
             cut=None):
        if not isinstance(body, bytes):
            body = json.dumps(body).encode()
        headers = dict(headers or {})
        ctype = headers.pop("Content-Type", ctype)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        if cut is not None:  # half the body, then the connection goes
            self.wfile.write(body[:cut])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)
            return
        if self.command != "HEAD":
            self.wfile.write(body)

    def drop(self):
        self.close_connection = True
        try:
            self.connection.shutdown(2)
        except OSError:
            pass

    # ---- dispatch ----

    def dispatch(self):
        fake = self.fake
        try:
            raw = self.read_body()
        except Reply as r:
            self.send(r.status, r.body)
            return
        except Exception:
            self.drop()
            return
        headers = {k.lower(): v for k, v in self.headers.items()}
        req = Request(self.command, self.path, headers, raw)
        if req.path.startswith("/_fake/"):
            self.control(req)
            return
        ctype = headers.get("content-type", "")
        if ctype.startswith("application/json") and raw:
            try:
                req.json = json.loads(raw)
            except ValueError:
                req.json = None
        rec = {"method": req.method, "path": req.target,
               "headers": redact(headers), "body": req.json,
               "time": time.time()}
        if req.json is None and raw:
            if ctype.startswith("application/json") or \
                    ctype.startswith("text/"):
                rec["body_text"] = raw[:4096].decode("utf-8", "replace")
            else:
                rec["bytes"] = len(raw)
                rec["sha256"] = hashlib.sha256(raw).hexdigest()
        req.record = rec
        with fake.lock:
            if len(fake.records) < MAX_RECORDS:
                fake.records.append(rec)
        if req.path.startswith(FILES_PREFIX):
            self.download(req, rec)
            return
        rule = fake.take_fault(req.method, req.path, "api")
        if rule is not None:
            rec["fault"] = rule.get("fault") or rule.get("status")
            if self.apply_fault(rule, rec):
                return
        try:
            status, body, extra = fake.handle(req)
        except Reply as r:
            status, body, extra = r.status, r.body, r.headers
        rec["status"] = status
        if rule is not None and rule.get("fault") == "malformed_json":
            self.send(200, b'{"status": "pend', headers=extra)
            return
        if rule is not None and rule.get("fault") == "reset_mid_body":
            data = json.dumps(body).encode()
            self.send(status, data, headers=extra, cut=len(data) // 2)
            return
        self.send(status, body, headers=extra)

    def apply_fault(self, rule, rec):
        """Answers for a status/drop/slow rule; True when it answered."""
        kind = rule.get("fault")
        if kind == "drop":
            rec["status"] = None
            self.drop()
            return True
        if kind == "slow":
            time.sleep(min(float(rule.get("seconds", 2)), MAX_SLOW_S))
            return False
        if "status" in rule:
            st = int(rule["status"])
            extra = {}
            if "retry_after" in rule:
                extra["Retry-After"] = str(rule["retry_after"])
            if "retry_after_ms" in rule:
                extra["retry-after-ms"] = str(rule["retry_after_ms"])
            rec["status"] = st
            self.send(st, self.fake.error_body(
                st, rule.get("message") or default_message(st),
                rule.get("code")), headers=extra)
            return True
        return False

    def download(self, req, rec):
        fake = self.fake
        name = req.path[len(FILES_PREFIX):]
        with fake.lock:
            entry = fake.files.get(name)
        rule = fake.take_fault(req.method, req.path,
                               DOWNLOAD_FAULTS + ("drop", "reset_mid_body",
                                                  "slow"))
        if rule is None:
            rule = fake.take_fault(req.method, req.path, "api")
        kind = rule.get("fault") if rule else None
        if rule is not None:
            rec["fault"] = kind or rule.get("status")
            if kind not in DOWNLOAD_FAULTS and kind != "reset_mid_body" \
                    and self.apply_fault(rule, rec):
                return
        if kind == "redirect":  # to rule["location"]; "self" loops
            where = rule.get("location") or "self"
            if where == "self":
                where = req.target
            rec["status"] = 302
            self.send(302, b"", "text/plain", headers={"Location": where})
            return
        if entry is None or kind == "result_404":
            rec["status"] = 404
            self.send(404, b"Not Found", "text/plain")
            return
        data, ctype = entry
        rec["status"] = 200
        if kind == "truncate":
            self.send(200, data[:len(data) // 2], ctype)
        elif kind == "corrupt":
            junk = hashlib.sha256(b"corrupt").digest() * (len(data) // 32 + 1)
            self.send(200, b"<html>not a video</html>" + junk[:len(data)],
                      ctype)
        elif kind == "reset_mid_body":
            self.send(200, data, ctype, cut=len(data) // 2)
        else:
            self.send(200, data, ctype)

    def control(self, req):
        fake = self.fake
        sub = req.path[len("/_fake/"):]
        body = None
        if req.raw:
            try:
                body = json.loads(req.raw)
            except ValueError:
                self.send(400, {"error": "control body is not JSON"})
                return
        with fake.lock:
            if sub == "requests" and req.method == "GET":
                out = list(fake.records)
            elif sub == "reset" and req.method == "POST":
                fake.records.clear()
                fake.rules.clear()
                out = {"ok": True}
            elif sub == "faults" and req.method == "POST":
                if not isinstance(body, list):
                    self.send(400, {"error": "faults: a JSON list of rules"})
                    return
                for r in body:
                    r["_left"] = int(r.get("times", 1))
                fake.rules = body
                out = {"ok": True, "rules": len(body)}
            elif sub == "faults" and req.method == "GET":
                out = fake.rules
            elif sub == "config" and req.method == "POST":
                body = body or {}
                fake.delay_polls = max(0, min(int(body.get(
                    "delay_polls", fake.delay_polls)), 100))
                fake.clock_skew = float(body.get("clock_skew",
                                                 fake.clock_skew))
                fake.inline_video = bool(body.get("inline_video",
                                                  fake.inline_video))
                out = {"ok": True}
            elif sub == "tasks" and req.method == "GET":
                out = [dict({"id": t.id, "status": t.current()[0],
                             "polls": t.polls, "fate": t.fate}, **t.extra)
                       for t in fake.tasks.values()]
            else:
                out = None
        if out is None:
            self.send(404, {"error": "no such control endpoint"})
        else:
            self.send(200, out)


def default_message(status):
    return {
        400: "Invalid request",
        401: "Unauthorized",
        404: "Not found",
        408: "Request timeout",
        409: "Conflict",
        429: "Rate limit exceeded",
        500: "Internal server error",
        502: "Bad gateway",
        503: "Service temporarily unavailable",
        504: "Gateway timeout",
    }.get(status, "Error %d" % status)


def serve(fake):
    """Binds 127.0.0.1:0, prints PORT, serves until SIGTERM or stdin EOF."""
    handler = type("FakeHandler", (Handler,), {"fake": fake})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    fake.port = server.server_address[1]
    print("PORT %d" % fake.port, flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
