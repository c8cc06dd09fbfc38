"""Fake Kling API, image to video (protocols/kling.md).

POST /v1/videos/image2video and GET /v1/videos/image2video/{task_id or
external_task_id}. Strict: the bearer API key, or an HS256 JWT verified with
the secret key (iss = access key, exp/nbf against the fake's clock: 401 with
codes 1000-1004); wire field names and JSON types (duration a string, images
http(s) URLs or raw base64 without a data: prefix, model_name known, unknown
keys refused with 1201); Kling's combination rules. Statuses submitted →
processing → succeed (or failed with task_status_msg).
"""

import base64
import hashlib
import hmac
import json
import time

from common import Fake, Reply, image_magic, is_b64, new_id, type_name

MODELS = {"kling-v1", "kling-v1-5", "kling-v1-6", "kling-v2-master",
          "kling-v2-1", "kling-v2-1-master", "kling-v2-5-turbo", "kling-v2-6",
          "kling-v3"}
TYPES = {
    "model_name": "string", "prompt": "string", "image": "string",
    "image_tail": "string", "negative_prompt": "string", "sound": "string",
    "cfg_scale": "number", "mode": "string", "camera_control": "object",
    "static_mask": "string", "dynamic_masks": "array",
    "multi_shot": "boolean", "shot_type": "string", "multi_prompt": "array",
    "element_list": "array", "voice_list": "array",
    "watermark_info": "object", "duration": "string",
    "callback_url": "string", "external_task_id": "string",
}
CAMERA_TYPES = ("simple", "down_back", "forward_up", "right_turn_forward",
                "left_turn_forward")
AXES = ("horizontal", "vertical", "pan", "tilt", "roll", "zoom")
SUBMIT = "/v1/videos/image2video"


def b64url_decode(part):
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


class Kling(Fake):
    NAME = "kling"
    PENDING = ["submitted", "processing"]
    FINAL = "succeed"

    def __init__(self, args):
        super().__init__(args)
        self.external = {}  # external_task_id -> task id
        self.serial = 0

    def error_body(self, status, message, code=None):
        if code is None:
            code = {400: 1200, 401: 1000, 403: 1103, 404: 1203, 429: 1302,
                    500: 5000, 502: 5000, 503: 5001, 504: 5002}.get(status,
                                                                     5000)
        return {"code": code, "message": message, "request_id": new_id()}

    def fail(self, status, code, message):
        raise Reply(status, self.error_body(status, message, code))

    def bad(self, message):
        self.fail(400, 1201, message)

    # ---- auth ----

    def check_auth(self, req):
        auth = req.header("authorization")
        if not auth:
            self.fail(401, 1001, "Authorization header is empty")
        if not auth.startswith("Bearer "):
            self.fail(401, 1002, "Authorization is invalid")
        token = auth[len("Bearer "):]
        if self.args.key and hmac.compare_digest(token, self.args.key):
            return
        if not (self.args.access_key and self.args.secret_key):
            self.fail(401, 1002, "Authorization is invalid")
        parts = token.split(".")
        if len(parts) != 3:
            self.fail(401, 1002, "Authorization is invalid")
        try:
            header = json.loads(b64url_decode(parts[0]))
            claims = json.loads(b64url_decode(parts[1]))
            sig = b64url_decode(parts[2])
        except ValueError:
            self.fail(401, 1002, "Authorization is invalid")
        if header.get("alg") != "HS256" or header.get("typ") != "JWT":
            self.fail(401, 1002, "Authorization is invalid: alg must be HS256")
        want = hmac.new(self.args.secret_key.encode(),
                        (parts[0] + "." + parts[1]).encode(),
                        hashlib.sha256).digest()
        if not hmac.compare_digest(sig, want) or \
                claims.get("iss") != self.args.access_key:
            self.fail(401, 1000, "Authentication failed")
        exp, nbf = claims.get("exp"), claims.get("nbf")
        if not isinstance(exp, int) or not isinstance(nbf, int):
            self.fail(401, 1002, "Authorization is invalid: exp and nbf "
                      "must be integer seconds")
        now = self.now()
        if now >= exp:
            self.fail(401, 1004, "Authorization token has expired")
        if now < nbf:
            self.fail(401, 1003, "Authorization token is not yet valid")

    # ---- body ----

    def check_image(self, value, field):
        if value.startswith(("http://", "https://")):
            return
        if value.startswith("data:"):
            self.bad("%s: base64 must not carry a data: prefix" % field)
        if not is_b64(value):
            self.bad("%s must be an http(s) URL or base64" % field)
        if image_magic(base64.b64decode(value)) not in ("image/png",
                                                        "image/jpeg"):
            self.bad("%s: only jpg/jpeg/png images are supported" % field)

    def check_body(self, b):
        if not isinstance(b, dict):
            self.fail(400, 1200, "request body must be a JSON object")
        for k, v in b.items():
            if k not in TYPES:
                self.bad("unknown parameter %s" % k)
            if type_name(v) != TYPES[k]:
                self.bad("%s must be a %s, got %s" % (k, TYPES[k],
                                                      type_name(v)))
        model = b.get("model_name", "kling-v1")
        if model not in MODELS:
            self.fail(404, 1203, "model_name %s does not exist" % model)
        v3 = model == "kling-v3"
        if "image" not in b and "image_tail" not in b:
            self.bad("image or image_tail is required")
        if "image_tail" in b and "image" not in b:
            self.bad("image_tail needs image")
        for f in ("image", "image_tail", "static_mask"):
            if f in b:
                self.check_image(b[f], f)
        for f in ("prompt", "negative_prompt"):
            if len(b.get(f, "")) > 2500:
                self.bad("%s is longer than 2500 characters" % f)
        if b.get("mode", "std") not in ("std", "pro"):
            self.bad("mode must be std or pro")
        if b.get("sound", "off") not in ("on", "off"):
            self.bad("sound must be on or off")
        if "sound" in b and model not in ("kling-v2-6", "kling-v3"):
            self.bad("sound is not supported by %s" % model)
        d = b.get("duration", "5")
        allowed = [str(n) for n in range(3, 16)] if v3 else ["5", "10"]
        if d not in allowed:
            self.bad("duration must be one of %s" % ", ".join(allowed))
        if "cfg_scale" in b:
            if model.startswith("kling-v2"):
                self.bad("cfg_scale is not supported by %s" % model)
            if not 0 <= b["cfg_scale"] <= 1:
                self.bad("cfg_scale must be in [0, 1]")
        self.check_camera(b.get("camera_control"))
        self.check_masks(b.get("dynamic_masks"))
        groups = [("image_tail" in b),
                  ("static_mask" in b or "dynamic_masks" in b),
                  ("camera_control" in b)]
        if sum(groups) > 1:
            self.bad("image_tail, static_mask/dynamic_masks and "
                     "camera_control cannot be used together")
        self.check_lists(b, v3)

    def check_camera(self, cc):
        if cc is None:
            return
        if set(cc) - {"type", "config"} or cc.get("type") not in CAMERA_TYPES:
            self.bad("camera_control.type must be one of %s" %
                     ", ".join(CAMERA_TYPES))
        cfg = cc.get("config")
        if cc["type"] == "simple":
            if not isinstance(cfg, dict) or set(cfg) - set(AXES):
                self.bad("camera_control.config {%s} is required for simple"
                         % ", ".join(AXES))
            for k, v in cfg.items():
                if type_name(v) != "number" or not -10 <= v <= 10:
                    self.bad("camera_control.config.%s must be a number in "
                             "[-10, 10]" % k)
        elif cfg is not None:
            self.bad("camera_control.config is only for type simple")

    def check_masks(self, masks):
        if masks is None:
            return
        if len(masks) > 6:
            self.bad("dynamic_masks: at most 6 groups")
        for i, m in enumerate(masks):
            if not isinstance(m, dict) or set(m) != {"mask", "trajectories"}:
                self.bad("dynamic_masks[%d] must be {mask, trajectories}" % i)
            if type_name(m["mask"]) != "string":
                self.bad("dynamic_masks[%d].mask must be a string" % i)
            self.check_image(m["mask"], "dynamic_masks[%d].mask" % i)
            tr = m["trajectories"]
            if type_name(tr) != "array" or not 2 <= len(tr) <= 77:
                self.bad("dynamic_masks[%d].trajectories: 2 to 77 points" % i)
            for p in tr:
                if not isinstance(p, dict) or set(p) != {"x", "y"} or \
                        type_name(p["x"]) != "number" or \
                        type_name(p["y"]) != "number":
                    self.bad("dynamic_masks[%d].trajectories: points are "
                             "{x: number, y: number}" % i)

    def check_lists(self, b, v3):
        for f in ("multi_shot", "shot_type", "multi_prompt", "element_list"):
            if f in b and not v3:
                self.bad("%s needs kling-v3" % f)
        if b.get("multi_shot"):
            if b.get("shot_type") not in ("customize", "intelligence"):
                self.bad("shot_type must be customize or intelligence")
            if not b.get("multi_prompt"):
                self.bad("multi_prompt is required with multi_shot")
        for i, p in enumerate(b.get("multi_prompt", [])):
            if not isinstance(p, dict) or set(p) != {"index", "prompt",
                                                     "duration"} or \
                    type_name(p["index"]) != "number" or \
                    type_name(p["prompt"]) != "string" or \
                    type_name(p["duration"]) != "string":
                self.bad("multi_prompt[%d] must be {index: number, prompt: "
                         "string, duration: string}" % i)
        if len(b.get("multi_prompt", [])) > 6:
            self.bad("multi_prompt: at most 6 shots")
        vl, el = b.get("voice_list", []), b.get("element_list", [])
        if len(vl) > 2:
            self.bad("voice_list: at most 2 voices")
        if len(el) > 3:
            self.bad("element_list: at most 3 elements")
        if vl and el:
            self.bad("voice_list and element_list cannot be used together")
        for v in vl:
            if not isinstance(v, dict) or set(v) != {"voice_id"} or \
                    type_name(v["voice_id"]) != "string":
                self.bad("voice_list items must be {voice_id: string}")
        for e in el:
            if not isinstance(e, dict) or set(e) != {"element_id"} or \
                    type_name(e["element_id"]) != "number":
                self.bad("element_list items must be {element_id: number}")
        wm = b.get("watermark_info")
        if wm is not None and (set(wm) != {"enabled"} or
                               type_name(wm["enabled"]) != "boolean"):
            self.bad("watermark_info must be {enabled: boolean}")

    # ---- endpoints ----

    def data(self, task):
        word, done = task.current()
        ext = task.extra.get("external_task_id")
        now_ms = int(time.time() * 1000)
        d = {"task_id": task.id, "task_status": word, "task_status_msg": "",
             "task_info": {"external_task_id": ext},
             "created_at": task.extra["created_at"], "updated_at": now_ms}
        if done and task.fate == "task_failed":
            d["task_status"] = "failed"
            d["task_status_msg"] = task.message or "Content policy violation"
        elif done:
            d["task_result"] = {"videos": [{
                "id": "video-" + task.id, "url": self.result_url(task),
                "duration": "5.0"}]}
            d["watermark_info"] = {"enabled": False}
            d["final_unit_deduction"] = "1"
        return d

    def reply(self, data):
        return 200, {"code": 0, "message": "SUCCEED", "request_id": new_id(),
                     "data": data}, {}

    def handle(self, req):
        if req.path == SUBMIT and req.method == "POST":
            self.check_auth(req)
            if not (req.header("content-type") or "").startswith(
                    "application/json") or req.json is None:
                self.fail(400, 1200, "body must be application/json")
            self.check_body(req.json)
            ext = req.json.get("external_task_id")
            with self.lock:
                dup = ext is not None and ext in self.external
            if dup:
                self.bad("external_task_id %s already exists" % ext)
            fault = self.take_fault(req.method, req.path, ("task_failed",
                                                           "never_finish"))
            with self.lock:
                self.serial += 1
                tid = "8668894566987%05d" % self.serial
            task = self.new_task(tid, fault)
            task.extra = {"external_task_id": ext,
                          "created_at": int(time.time() * 1000),
                          "model_name": req.json.get("model_name", "kling-v1")}
            if ext is not None:
                with self.lock:
                    self.external[ext] = task.id
            return self.reply(self.data(task))
        if req.path.startswith(SUBMIT + "/") and req.method == "GET":
            self.check_auth(req)
            key = req.path[len(SUBMIT) + 1:]
            with self.lock:
                key = self.external.get(key, key)
            task = self.find_task(key)
            if task is None:
                self.fail(404, 1203, "task %s does not exist" % key)
            with self.lock:
                task.advance()
            return self.reply(self.data(task))
        self.fail(404, 1202, "invalid method or path")
