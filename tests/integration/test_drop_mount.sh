#!/bin/bash
# The drop-area cases (drop_cases.sh) on a real FUSE mount.
MODE=mount
. "$(dirname "$0")/drop_cases.sh"
