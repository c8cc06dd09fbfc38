"""Fake Krea API (protocols/krea.md).

POST /assets (multipart, field "file") stores the bytes and returns an
image_url served by this fake; POST /generate/video/{provider}/{model}
validates the body against the model's schema (snake_case,
additionalProperties false: unknown keys are 400, types, enums, ranges,
images must be http(s) URIs); GET /jobs/{id} walks queued → processing →
sampling → completed (or failed). Errors are {"error": "<string>"}.
"""

import email.parser
import email.policy
import time

from common import Fake, Reply, image_magic, new_id, type_name

URI = ("uri",)
IMG = ("uri", "null")
KLING_CAMERA = ("object",)


def schema(**fields):
    return fields


# Per model: field -> (JSON types, rule). Rules: ("enum", [...]),
# ("range", lo, hi), ("max_len", n), ("min_len", n), ("const", v), None.
MODELS = {
    "kling/kling-2.5": schema(
        prompt=(("string",), None), start_image=(URI, None),
        start_video=(IMG, None),
        aspect_ratio=(("string",), ("enum", ["16:9", "9:16", "1:1"])),
        duration=(("number",), ("enum", [5, 10])), end_image=(URI, None),
        mode=(("string",), ("const", "pro"))),
    "kling/kling-2.6": schema(
        prompt=(("string",), None), start_image=(URI, None),
        start_video=(IMG, None),
        aspect_ratio=(("string",), ("enum", ["16:9", "9:16"])),
        duration=(("number",), ("enum", [5, 10])), end_image=(URI, None),
        end_video=(URI, None), generate_audio=(("boolean",), None)),
    "google/veo-3.1": schema(
        prompt=(("string",), None), start_image=(IMG, None),
        start_video=(IMG, None),
        aspect_ratio=(("string",), ("enum", ["16:9", "9:16"])),
        duration=(("number",), ("enum", [4, 6, 8])),
        generate_audio=(("boolean",), None),
        resolution=(("string",), ("enum", ["720p", "1080p", "4K"])),
        end_image=(IMG, None), end_video=(IMG, None),
        reference_images=(("array",), ("uris",))),
    "minimax/hailuo-2.3": schema(
        prompt=(("string",), None), start_image=(URI, None),
        start_video=(IMG, None), expand_prompt=(("boolean",), None),
        model=(("string",), ("const", "MiniMax-Hailuo-2.3")),
        end_image=(URI, None),
        resolution=(("string",), ("enum", ["768p", "1080p"])),
        duration=(("number",), ("enum", [6, 10]))),
    "alibaba/wan-2.5": schema(
        prompt=(("string",), ("min_len", 1)), start_image=(IMG, None),
        start_video=(IMG, None),
        aspect_ratio=(("string",), ("enum", ["16:9", "9:16", "1:1"])),
        resolution=(("string",), ("enum", ["480p", "720p", "1080p"])),
        enable_prompt_expansion=(("boolean",), None),
        duration=(("number",), ("range", 5, 10)), seed=(("number",), None),
        audio_url=(URI, None), generate_audio=(("boolean",), None)),
}
ASSET_TYPES = ("image/jpeg", "image/png", "image/webp", "image/heic",
               "video/mp4", "video/quicktime", "video/webm",
               "model/gltf-binary", "audio/wav", "audio/x-wav", "audio/mpeg")


def is_uri(v):
    return isinstance(v, str) and v.startswith(("http://", "https://"))


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(t))


class Krea(Fake):
    NAME = "krea"
    PENDING = ["queued", "processing", "sampling"]
    FINAL = "completed"

    def error_body(self, status, message, code=None):
        return {"error": message}

    def bad(self, message):
        raise Reply(400, {"error": message})

    def check_auth(self, req):
        token = self.bearer(req.headers)
        if token is None or token != self.args.key:
            raise Reply(401, {"error": "You are not authenticated"})

    def check_value(self, name, v, types, rule):
        kinds = [("string" if t == "uri" else t) for t in types]
        if type_name(v) not in kinds:
            self.bad("%s: expected %s, got %s" % (name, " or ".join(kinds),
                                                  type_name(v)))
        if "uri" in types and isinstance(v, str) and not is_uri(v):
            self.bad("%s: must be a URI (upload local files with POST "
                     "/assets)" % name)
        if rule is None:
            return
        if rule[0] == "enum" and v not in rule[1]:
            self.bad("%s: must be one of %s" % (name, rule[1]))
        if rule[0] == "const" and v != rule[1]:
            self.bad("%s: must be %r" % (name, rule[1]))
        if rule[0] == "range" and not rule[1] <= v <= rule[2]:
            self.bad("%s: must be between %s and %s" % (name, rule[1],
                                                        rule[2]))
        if rule[0] == "min_len" and len(v) < rule[1]:
            self.bad("%s: too short" % name)
        if rule[0] == "uris" and not all(is_uri(u) for u in v):
            self.bad("%s: items must be URIs" % name)

    def check_body(self, model, body):
        if not isinstance(body, dict):
            self.bad("The request body is invalid: expected a JSON object")
        fields = MODELS[model]
        for k, v in body.items():
            if k not in fields:
                self.bad("The request body is invalid: unrecognized key "
                         "'%s' (additional properties are not allowed)" % k)
            self.check_value(k, v, *fields[k])
        if "prompt" not in body:
            self.bad("The request body is invalid: prompt is required")

    def upload(self, req):
        ctype = req.header("content-type") or ""
        if not ctype.startswith("multipart/form-data"):
            self.bad("Invalid file type or size: multipart/form-data needed")
        msg = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
            b"Content-Type: " + ctype.encode() + b"\r\n\r\n" + req.raw)
        fields, file_part = {}, None
        for part in msg.iter_parts() if msg.is_multipart() else []:
            name = part.get_param("name", header="content-disposition")
            if name == "file" and part.get_filename() is not None:
                file_part = part
            elif name:
                fields[name] = part.get_content()
        if file_part is None:
            self.bad("Invalid file type or size: the file field is required")
        data = file_part.get_payload(decode=True) or b""
        mime = file_part.get_content_type()
        sniffed = image_magic(data)
        mismatch = mime.startswith("image/") and sniffed not in (None, mime)
        if mime not in ASSET_TYPES or mismatch:
            self.bad("Invalid file type or size")
        if not data:
            self.bad("Invalid file type or size: empty file")
        req.record["body"] = {"multipart": {
            "fields": fields, "file": {"filename": file_part.get_filename(),
                                        "content_type": mime,
                                        "bytes": len(data)}}}
        aid = new_id()
        ext = {"image/png": "png", "image/jpeg": "jpg",
               "image/webp": "webp"}.get(mime, "bin")
        url = self.put_file("assets/%s.%s" % (aid, ext), data, mime)
        return 200, {"id": aid, "image_url": url,
                     "uploaded_at": iso(time.time()), "width": None,
                     "height": None, "size_bytes": len(data),
                     "mime_type": mime,
                     "description": fields.get("description"),
                     "metadata": None}, {}

    def job(self, task):
        word, done = task.current()
        out = {"job_id": task.id, "status": word,
               "created_at": task.extra["created_at"], "completed_at": None,
               "result": None}
        if done and task.fate == "task_failed":
            out["status"] = "failed"
            out["completed_at"] = iso(time.time())
            out["result"] = {"error": task.message or
                             "Generation failed: content moderation"}
        elif done:
            out["completed_at"] = iso(time.time())
            out["result"] = {"urls": [self.result_url(task)]}
        return out

    def handle(self, req):
        self.check_auth(req)
        if req.path == "/assets" and req.method == "POST":
            return self.upload(req)
        prefix = "/generate/video/"
        if req.path.startswith(prefix) and req.method == "POST":
            model = req.path[len(prefix):]
            if model not in MODELS:
                raise Reply(404, {"error": "Unknown model %s" % model})
            if not (req.header("content-type") or "").startswith(
                    "application/json") or req.json is None:
                self.bad("The request body is invalid: JSON expected")
            self.check_body(model, req.json)
            fault = self.take_fault(req.method, req.path, ("task_failed",
                                                           "never_finish"))
            task = self.new_task(new_id(), fault)
            task.extra = {"created_at": iso(time.time()), "model": model}
            return 200, self.job(task), {}
        if req.path.startswith("/jobs/") and req.method == "GET":
            task = self.find_task(req.path[len("/jobs/"):])
            if task is None:
                raise Reply(404, {"error": "job not found or client not "
                                  "authorized"})
            with self.lock:
                task.advance()
            return 200, self.job(task), {}
        raise Reply(404, {"error": "Not found"})
