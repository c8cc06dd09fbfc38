#!/usr/bin/env python3
"""Helpers for the cloud end-to-end tests (tests/integration/test_cloud_*).

    jobtool.py folder CATALOG ROUTE FIXTURE_DIR
        the model folder in the mount of a seed fixture directory
        (tests/fixtures/seeds/<route>/<folder inside the route, "/" as "-">)
    jobtool.py assets JOB_FILE
        the local image names a job file refers to, one per line
    jobtool.py watch RECORD SECONDS
        watches a job record until it is terminal (or SECONDS pass) and
        prints two lines: "states: <distinct states in order>" and
        "raw: <distinct provider status words in order>"
    jobtool.py cloud-enabled CATALOG
        exit 0 when some cloud model is enabled in the catalog
"""

import json
import sys
import time

IMAGE_EXT = (".png", ".jpg", ".jpeg", ".webp")
TERMINAL = ("succeeded", "failed", "canceled")


def folder(catalog, route, fixture_dir):
    with open(catalog) as f:
        models = json.load(f)["models"]
    for m in models:
        if m["route"] != route:
            continue
        inside = m["folder"][len(route) + 1:]
        if inside.replace("/", "-") == fixture_dir:
            return m["folder"]
    return None


def assets(job):
    found = []

    def walk(v):
        if isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)
        elif isinstance(v, str) and v.lower().endswith(IMAGE_EXT) and \
                "/" not in v and not v.startswith(("http:", "https:")):
            if v not in found:
                found.append(v)

    walk(job)
    return found


def raw_status(rec):
    prov = rec.get("provider")
    if not isinstance(prov, dict):
        return None
    for k, v in prov.items():
        if "status" in k and isinstance(v, str):
            return v
    return None


def watch(path, seconds):
    states, raws = [], []
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with open(path) as f:
                rec = json.load(f)
        except (OSError, ValueError):
            time.sleep(0.003)
            continue
        s, r = rec.get("state"), raw_status(rec)
        if s and (not states or states[-1] != s):
            states.append(s)
        if r and (not raws or raws[-1] != r):
            raws.append(r)
        if s in TERMINAL:
            break
        time.sleep(0.003)
    print("states: " + " ".join(states))
    print("raw: " + " ".join(raws))


def main(argv):
    if len(argv) >= 5 and argv[1] == "folder":
        f = folder(argv[2], argv[3], argv[4])
        if f is None:
            return 1
        print(f)
        return 0
    if len(argv) == 3 and argv[1] == "assets":
        with open(argv[2]) as f:
            for name in assets(json.load(f)):
                print(name)
        return 0
    if len(argv) == 4 and argv[1] == "watch":
        watch(argv[2], float(argv[3]))
        return 0
    if len(argv) == 3 and argv[1] == "cloud-enabled":
        with open(argv[2]) as f:
            models = json.load(f)["models"]
        return 0 if any(m["route"] != "local" and m.get("enabled", True)
                        for m in models) else 1
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
