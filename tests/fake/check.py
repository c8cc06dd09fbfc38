#!/usr/bin/env python3
"""Checks a fake's recording (GET /_fake/requests) against expectations.

    check.py wire RECORDING EXPECT [NAME=VALUE…]
        EXPECT is a JSON list of requests, in the order they must appear
        (other requests may come between): {"method", "path", "headers"?,
        "body"?}; path is exact, "*suffix" or "$prefix:/start". Bodies
        are compared field by field, with the same keys exactly; matchers
        (as strings) "$any", "$string", "$b64png", "$b64jpeg",
        "$loopback_url", "$uuid"; as objects {"$optional": X},
        {"$oneOf": [X, Y]}. "${NAME}" in a string is replaced by NAME's
        value from the command line.
    check.py count RECORDING [METHOD] [PATH_PREFIX]
        prints how many requests match (downloads under /files/ count only
        when PATH_PREFIX selects them).
    check.py headers RECORDING PATH_PREFIX NAME
        prints the values of header NAME on the matching requests.
Exit status 0 when everything matched; mismatches go to stdout.
"""

import base64
import json
import re
import signal
import sys

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-"
                  r"[0-9a-f]{12}$")


def b64_kind(v):
    if not isinstance(v, str) or v.startswith("data:"):
        return None
    try:
        raw = base64.b64decode(v, validate=True)
    except Exception:
        return None
    if raw.startswith(b"\x89PNG"):
        return "png"
    if raw.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    return None


def match(want, got, where, out):
    """Appends to out a line per difference between want and got."""
    if isinstance(want, dict) and "$oneOf" in want:
        for alt in want["$oneOf"]:
            trial = []
            match(alt, got, where, trial)
            if not trial:
                return
        out.append("%s: %s matches none of %s" % (
            where, json.dumps(got), json.dumps(want["$oneOf"])))
        return
    if isinstance(want, dict) and "$optional" in want:
        match(want["$optional"], got, where, out)
        return
    if isinstance(want, str) and want.startswith("$") and \
            not want.startswith("${"):
        ok = {
            "$any": lambda v: True,
            "$string": lambda v: isinstance(v, str),
            "$b64png": lambda v: b64_kind(v) == "png",
            "$b64jpeg": lambda v: b64_kind(v) == "jpeg",
            "$loopback_url": lambda v: isinstance(v, str) and v.startswith(
                "http://127.0.0.1:"),
            "$uuid": lambda v: isinstance(v, str) and bool(UUID.match(v)),
        }.get(want)
        if ok is None:
            out.append("%s: unknown matcher %s" % (where, want))
        elif not ok(got):
            out.append("%s: %s is not %s" % (where, short(got), want))
        return
    if isinstance(want, dict):
        if not isinstance(got, dict):
            out.append("%s: expected an object, got %s" % (where, short(got)))
            return
        for k, v in want.items():
            optional = isinstance(v, dict) and "$optional" in v
            if k not in got:
                if not optional:
                    out.append("%s.%s: missing (expected %s)" % (
                        where, k, short(v)))
                continue
            match(v, got[k], "%s.%s" % (where, k), out)
        for k in got:
            if k not in want:
                out.append("%s.%s: unexpected field (value %s)" % (
                    where, k, short(got[k])))
        return
    if isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            out.append("%s: expected %d items, got %s" % (
                where, len(want), short(got)))
            return
        for i, (w, g) in enumerate(zip(want, got)):
            match(w, g, "%s[%d]" % (where, i), out)
        return
    if type(want) is not type(got) and not (
            isinstance(want, (int, float)) and isinstance(got, (int, float))
            and not isinstance(got, bool) and not isinstance(want, bool)):
        out.append("%s: expected %s %s, got %s %s" % (
            where, type(want).__name__, json.dumps(want),
            type(got).__name__, short(got)))
    elif want != got:
        out.append("%s: expected %s, got %s" % (where, json.dumps(want),
                                                short(got)))


def short(v):
    s = json.dumps(v)
    return s if len(s) < 80 else s[:77] + "..."


def substitute(obj, env):
    if isinstance(obj, str):
        return re.sub(r"\$\{(\w+)\}",
                      lambda m: env.get(m.group(1), m.group(0)), obj)
    if isinstance(obj, list):
        return [substitute(x, env) for x in obj]
    if isinstance(obj, dict):
        return {k: substitute(v, env) for k, v in obj.items()}
    return obj


def path_matches(pattern, path):
    """"*suffix", "$prefix:/start", or the exact path (query ignored)."""
    path = path.split("?")[0]
    if pattern.startswith("*"):
        return path.endswith(pattern[1:])
    if pattern.startswith("$prefix:"):
        return path.startswith(pattern[len("$prefix:"):])
    return path == pattern


def wire(records, expect):
    out, pos = [], 0
    for i, exp in enumerate(expect):
        found = None
        for j in range(pos, len(records)):
            r = records[j]
            if r["method"] == exp["method"] and \
                    path_matches(exp["path"], r["path"]) and \
                    r.get("status") is not None and r.get("fault") is None:
                found = j
                break
        if found is None:
            seen = ["%s %s" % (r["method"], r["path"]) for r in records]
            out.append("request %d: no %s %s (saw: %s)" % (
                i, exp["method"], exp["path"], ", ".join(seen) or "nothing"))
            continue
        r = records[found]
        pos = found + 1
        where = "%s %s" % (exp["method"], exp["path"])
        for name, value in exp.get("headers", {}).items():
            got = r["headers"].get(name.lower())
            if got is None and not (isinstance(value, dict) and
                                    "$optional" in value):
                out.append("%s: header %s missing" % (where, name))
            elif got is not None:
                match(value, got, "%s header %s" % (where, name), out)
        if "body" in exp:
            match(exp["body"], r.get("body"), where + " body", out)
    return out


def main(argv):
    if len(argv) < 3:
        print(__doc__)
        return 2
    with open(argv[2]) as f:
        records = json.load(f)
    if argv[1] == "wire":
        env = dict(a.split("=", 1) for a in argv[4:])
        with open(argv[3]) as f:
            expect = substitute(json.load(f), env)
        problems = wire(records, expect)
        for p in problems:
            print(p)
        return 1 if problems else 0
    if argv[1] == "count":
        method = argv[3] if len(argv) > 3 else ""
        prefix = argv[4] if len(argv) > 4 else ""
        n = sum(1 for r in records
                if (not method or r["method"] == method) and
                r["path"].startswith(prefix) and
                (prefix.startswith("/files/") or
                 not r["path"].startswith("/files/")))
        print(n)
        return 0
    if argv[1] == "headers":
        for r in records:
            if r["path"].startswith(argv[3]):
                print(r["headers"].get(argv[4].lower(), ""))
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quiet under | head
    sys.exit(main(sys.argv))
