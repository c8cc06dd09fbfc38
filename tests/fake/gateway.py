"""Fake Vercel AI Gateway, video models (protocols/gateway.md).

POST …/video-model/start and …/video-model/status (the start/status flow),
and POST …/video-model (one-shot SSE). Paths are matched by suffix, so the
base URL may or may not carry /v4/ai. Strict: the bearer key, the protocol
headers, idempotency-key on start, camelCase body with the documented keys
and types, file objects; models that take URLs only (Wan, Grok, Seedance)
refuse inline images. A repeated idempotency-key returns the same operation.
"""

import base64
import json

from common import Fake, Reply, image_magic, is_b64, new_id, type_name

KNOWN_MODELS = {
    "alibaba/wan-v2.5-t2v-preview", "alibaba/wan-v2.6-i2v",
    "alibaba/wan-v2.6-i2v-flash", "alibaba/wan-v2.6-r2v",
    "alibaba/wan-v2.6-r2v-flash", "alibaba/wan-v2.6-t2v",
    "alibaba/wan-v2.7-r2v", "alibaba/wan-v2.7-t2v", "bfl/flux-3-video",
    "bytedance/seedance-2.0", "bytedance/seedance-2.0-fast",
    "bytedance/seedance-2.5", "bytedance/seedance-v1.0-pro",
    "bytedance/seedance-v1.0-pro-fast", "bytedance/seedance-v1.5-pro",
    "bytedance/seedance-v1.0-lite-i2v", "google/veo-3.0-fast-generate-001",
    "google/veo-3.0-generate-001", "google/veo-3.1-fast-generate-001",
    "google/veo-3.1-generate-001", "google/veo-3.1-lite-generate-001",
    "klingai/kling-v2.5-turbo-i2v", "klingai/kling-v2.5-turbo-t2v",
    "klingai/kling-v2.6-i2v", "klingai/kling-v2.6-motion-control",
    "klingai/kling-v2.6-t2v", "klingai/kling-v3.0-i2v",
    "klingai/kling-v3.0-motion-control", "klingai/kling-v3.0-t2v",
    "minimax/minimax-h3", "spacexai/grok-imagine-video",
    "xai/grok-imagine-video", "spacexai/grok-imagine-video-1.5",
}
URL_ONLY = ("alibaba/", "xai/", "spacexai/", "bytedance/")

BODY_TYPES = {
    "prompt": "string", "n": "number", "aspectRatio": "string",
    "resolution": "string", "duration": "number", "fps": "number",
    "seed": "number", "generateAudio": "boolean",
    "providerOptions": "object", "image": "object", "frameImages": "array",
    "inputReferences": "array", "callbackUrl": "string",
}
ERROR_TYPES = {
    400: "invalid_request_error", 401: "authentication_error",
    403: "forbidden", 404: "not_found", 424: "failed_dependency",
    429: "rate_limit_exceeded",
}


class Gateway(Fake):
    NAME = "gateway"
    PENDING = ["pending"]
    FINAL = "completed"

    def __init__(self, args):
        super().__init__(args)
        self.operations = {}  # idempotency-key -> operation

    def error_body(self, status, message, code=None):
        etype = ERROR_TYPES.get(status, "internal_server_error")
        err = {"message": message, "type": etype}
        if code:
            err["code"] = code
        return {"error": err, "generationId": "gen_" + new_id()[:8]}

    def bad(self, message, param=None):
        body = self.error_body(400, message, "invalid_request")
        body["error"]["param"] = param
        raise Reply(400, body)

    def check_auth(self, req):
        token = self.bearer(req.headers)
        if token is None or token != self.args.key:
            raise Reply(401, self.error_body(
                401, "Invalid API key or OIDC token", "unauthorized"))

    def check_headers(self, req, start):
        want = {"ai-gateway-protocol-version": "0.0.1",
                "ai-video-model-specification-version": "4"}
        for name, value in want.items():
            if req.header(name) != value:
                self.bad("header %s must be %s (got %r)" %
                         (name, value, req.header(name)), name)
        method = req.header("ai-gateway-auth-method")
        if method is not None and method not in ("api-key", "oidc"):
            self.bad("ai-gateway-auth-method must be api-key or oidc")
        model = req.header("ai-model-id")
        if not model:
            self.bad("header ai-model-id is required", "ai-model-id")
        if model not in KNOWN_MODELS:
            body = self.error_body(404, "Model %s not found" % model)
            body["error"]["type"] = "model_not_found"
            body["error"]["param"] = {"modelId": model}
            raise Reply(404, body)
        if start and not req.header("idempotency-key"):
            self.bad("header idempotency-key is required on start",
                     "idempotency-key")
        if not (req.header("content-type") or "").startswith(
                "application/json"):
            self.bad("Content-Type must be application/json")
        return model

    def check_file(self, obj, where, model):
        if not isinstance(obj, dict):
            self.bad("%s must be a file object" % where, where)
        kind = obj.get("type")
        allowed = {"type", "url", "mediaType", "data", "providerOptions"}
        extra = set(obj) - allowed
        if extra:
            self.bad("%s: unknown keys %s" % (where, sorted(extra)), where)
        if kind == "url":
            url = obj.get("url")
            if not isinstance(url, str) or not url.startswith(
                    ("http://", "https://")):
                self.bad("%s.url must be an http(s) URL" % where, where)
        elif kind == "file":
            if model.startswith(URL_ONLY):
                self.bad("%s: model %s accepts image URLs only; host the "
                         "image (e.g. Vercel Blob) and send its URL" %
                         (where, model), where)
            data, mt = obj.get("data"), obj.get("mediaType")
            if not isinstance(mt, str) or not mt.startswith("image/"):
                self.bad("%s.mediaType must be an image type" % where, where)
            if not isinstance(data, str) or data.startswith("data:") or \
                    not is_b64(data):
                self.bad("%s.data must be raw base64 (no data: prefix)" %
                         where, where)
            found = image_magic(base64.b64decode(data))
            if found != mt:
                self.bad("%s.data is not a %s image" % (where, mt), where)
        else:
            self.bad("%s.type must be url or file" % where, where)

    def check_body(self, body, model, start):
        if not isinstance(body, dict):
            self.bad("body must be a JSON object")
        keys = dict(BODY_TYPES)
        if not start:
            del keys["callbackUrl"]
        for k, v in body.items():
            if k not in keys:
                self.bad("unknown field %s" % k, k)
            if type_name(v) != keys[k]:
                self.bad("%s must be a %s, not %s" % (k, keys[k],
                                                      type_name(v)), k)
        if "image" in body:
            self.check_file(body["image"], "image", model)
        for i, fi in enumerate(body.get("frameImages", [])):
            if not isinstance(fi, dict) or fi.get("frameType") not in (
                    "first_frame", "last_frame") or set(fi) != {
                        "frameType", "image"}:
                self.bad("frameImages[%d] must be {frameType, image}" % i,
                         "frameImages")
            self.check_file(fi["image"], "frameImages[%d].image" % i, model)
        for i, ref in enumerate(body.get("inputReferences", [])):
            self.check_file(ref, "inputReferences[%d]" % i, model)
        for k, v in body.get("providerOptions", {}).items():
            if not isinstance(v, dict):
                self.bad("providerOptions.%s must be an object" % k,
                         "providerOptions")

    def videos(self, task):
        if self.inline_video:
            return [{"type": "base64", "mediaType": "video/mp4",
                     "data": base64.b64encode(self.mp4).decode()}]
        return [{"type": "url", "url": self.result_url(task),
                 "mediaType": "video/mp4"}]

    def handle(self, req):
        path = req.path.rstrip("/")
        if req.method != "POST" or not path.endswith(
                ("/video-model/start", "/video-model/status",
                 "/video-model")):
            raise Reply(404, self.error_body(404, "Not found"))
        self.check_auth(req)
        if path.endswith("/status"):
            return self.status(req)
        start = path.endswith("/start")
        model = self.check_headers(req, start)
        if req.json is None:
            self.bad("body must be JSON")
        self.check_body(req.json, model, start)
        if not start:
            return self.one_shot(req)
        key = req.header("idempotency-key")
        with self.lock:
            op = self.operations.get(key)
        if op is None:
            tid = "job_" + new_id().replace("-", "")[:12]
            fault = self.take_fault(req.method, req.path, ("task_failed",
                                                           "never_finish"))
            task = self.new_task(tid, fault)
            task.extra = {"model": model, "idempotency_key": key}
            op = {"gatewayJobId": tid}
            with self.lock:
                self.operations[key] = op
        job = {"jobId": op["gatewayJobId"], "status": "queued"}
        return 200, {"operation": op, "warnings": [],
                     "providerMetadata": {"gateway": {"asyncJob": job}}}, {}

    def status(self, req):
        for name in ("ai-gateway-protocol-version",
                     "ai-video-model-specification-version"):
            if not req.header(name):
                self.bad("header %s is required" % name, name)
        body = req.json
        if not isinstance(body, dict) or set(body) != {"operation"} or \
                not isinstance(body["operation"], dict):
            self.bad("status body must be {\"operation\": <the operation>}")
        task = self.find_task(body["operation"].get("gatewayJobId"))
        if task is None:
            raise Reply(404, self.error_body(404, "Video job not found"))
        with self.lock:
            word, done = task.advance()
        meta = {"gateway": {"asyncJob": {"jobId": task.id}}}
        if not done:
            meta["gateway"]["asyncJob"]["status"] = "running"
            return 200, {"status": "pending", "providerMetadata": meta}, {}
        if task.fate == "task_failed":
            message = task.message or "Async video job failed"
            return 200, {"status": "error", "error": message,
                         "providerMetadata": meta}, {}
        meta["gateway"]["asyncJob"]["status"] = "completed"
        return 200, {"status": "completed", "videos": self.videos(task),
                     "warnings": [], "providerMetadata": meta}, {}

    def one_shot(self, req):
        tid = "job_" + new_id().replace("-", "")[:12]
        task = self.new_task(tid, None)
        event = {"type": "result", "videos": self.videos(task)}
        data = (":\n\n" + "data: " + json.dumps(event) + "\n\n").encode()
        raise Reply(200, data, {"Content-Type": "text/event-stream"})
