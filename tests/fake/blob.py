"""Fake Vercel Blob (protocols/blob.md).

PUT {api}/?pathname=<p> (api = this server's root, or /api/blob) stores the
body and returns {url, downloadUrl, pathname, contentType, …}; the url is
served by this fake. Strict: bearer token, x-api-version 12,
x-vercel-blob-access public, a pathname, a non-empty body whose length
matches x-content-length; an existing pathname is refused unless
x-allow-overwrite is 1 or x-add-random-suffix is 1. POST {api}/delete.
Errors are {"error": {"code", "message"}}.
"""

import hashlib
from urllib.parse import parse_qs

from common import Fake, Reply, new_id

CODES = {400: "bad_request", 401: "forbidden", 403: "forbidden",
         404: "not_found", 429: "rate_limited", 500: "unknown_error",
         502: "unknown_error", 503: "service_unavailable"}
API_ROOTS = ("/", "/api/blob", "/api/blob/")


class Blob(Fake):
    NAME = "blob"

    def error_body(self, status, message, code=None):
        return {"error": {"code": code or CODES.get(status, "unknown_error"),
                          "message": message}}

    def bad(self, message):
        raise Reply(400, self.error_body(400, message))

    def check_auth(self, req):
        token = self.bearer(req.headers)
        if token is None or token != self.args.key:
            raise Reply(403, self.error_body(
                403, "Access denied, please provide a valid token for this "
                "resource."))

    def put(self, req):
        want = {"x-api-version": "12", "x-vercel-blob-access": "public"}
        for name, value in want.items():
            if req.header(name) != value:
                self.bad("header %s must be %s" % (name, value))
        q = parse_qs(req.query)
        pathname = (q.get("pathname") or [""])[0]
        if not pathname or pathname.startswith("/") or ".." in pathname:
            self.bad("pathname is required (a relative path)")
        if not req.raw:
            self.bad("body is required")
        length = req.header("x-content-length")
        if length is not None and length != str(len(req.raw)):
            self.bad("x-content-length %s does not match the body (%d)" %
                     (length, len(req.raw)))
        if req.header("x-add-random-suffix") == "1":
            stem, dot, ext = pathname.rpartition(".")
            suffix = "-" + new_id().replace("-", "")[:20]
            pathname = stem + suffix + dot + ext if dot else pathname + suffix
        name = "blob/" + pathname
        with self.lock:
            exists = name in self.files
        if exists and req.header("x-allow-overwrite") != "1":
            self.bad("This blob already exists, use allowOverwrite: true if "
                     "you want to overwrite it. Or addRandomSuffix: true to "
                     "generate a unique filename.")
        ctype = req.header("x-content-type") or "application/octet-stream"
        url = self.put_file(name, req.raw, ctype)
        return 200, {"url": url, "downloadUrl": url + "?download=1",
                     "pathname": pathname, "contentType": ctype,
                     "contentDisposition": 'inline; filename="%s"' %
                     pathname.rsplit("/", 1)[-1],
                     "etag": '"%s"' % hashlib.sha256(req.raw).hexdigest()[:32]
                     }, {}

    def handle(self, req):
        self.check_auth(req)
        if req.method == "PUT" and req.path in API_ROOTS:
            return self.put(req)
        if req.method == "POST" and req.path.rstrip("/").endswith("/delete"):
            urls = (req.json or {}).get("urls")
            if not isinstance(urls, list):
                self.bad("urls must be a list")
            base = self.base_url() + "/files/"
            with self.lock:
                for u in urls:
                    if isinstance(u, str) and u.startswith(base):
                        self.files.pop(u[len(base):], None)
            return 200, {}, {}
        raise Reply(404, self.error_body(404, "Not found"))
