#!/usr/bin/env python3
"""Starts one fake provider server on 127.0.0.1 (a free port).

    python3 tests/fake/run.py gateway|kling|krea|blob [--key K]
        [--access-key AK --secret-key SK] [--delay-polls N]
        [--clock-skew S] [--inline-video] [--verbose]

The first stdout line is "PORT <n>". Stops on SIGTERM or SIGINT.
See common.py for the control API (/_fake/…).
"""

import argparse
import os
import signal
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from blob import Blob  # noqa: E402
from server import serve  # noqa: E402
from gateway import Gateway  # noqa: E402
from kling import Kling  # noqa: E402
from krea import Krea  # noqa: E402

FAKES = {"gateway": Gateway, "kling": Kling, "krea": Krea, "blob": Blob}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("api", choices=sorted(FAKES))
    p.add_argument("--key", help="the accepted bearer key / token")
    p.add_argument("--access-key", help="Kling: JWT issuer")
    p.add_argument("--secret-key", help="Kling: JWT HMAC key")
    p.add_argument("--delay-polls", type=int, default=1,
                   help="polls per pending status (default 1; 0 finishes "
                   "on the first poll)")
    p.add_argument("--clock-skew", type=float, default=0.0,
                   help="seconds added to the fake's clock (JWT exp/nbf)")
    p.add_argument("--inline-video", action="store_true",
                   help="gateway: return the video inline as base64")
    p.add_argument("--verbose", action="store_true",
                   help="log each request to stderr")
    args = p.parse_args()
    if args.api != "kling" and not args.key:
        p.error("--key is required for %s" % args.api)
    if args.api == "kling" and not args.key and not (args.access_key and
                                                     args.secret_key):
        p.error("kling needs --key or --access-key and --secret-key")
    args.delay_polls = max(0, min(args.delay_polls, 100))
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    serve(FAKES[args.api](args))


if __name__ == "__main__":
    main()
