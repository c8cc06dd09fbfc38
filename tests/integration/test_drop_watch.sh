#!/bin/bash
# The drop-area cases (drop_cases.sh) in watch mode, on a plain folder.
MODE=watch
. "$(dirname "$0")/drop_cases.sh"
