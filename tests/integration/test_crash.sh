#!/bin/bash
# Crash safety, short run (make soak runs the long one): the daemon killed
# with SIGKILL a handful of times at random moments of local renders and of
# cloud jobs against the fakes (upload, submit, polling, download, publish),
# on a mount and in watch mode; every job must end exactly once, no
# avoidable duplicate task at the fakes, no partial video or torn record
# ever visible. See crash_harness.py. KILLS=N and SEED=S replay a run.
. "$(dirname "$0")/lib.sh"
need_fuse
args=(--bin "$I2VFS_BIN" --kills "${KILLS:-6}" --work "$WORK/crash")
[ -n "${SEED:-}" ] && args+=(--seed "$SEED")
[ -n "${WATCH_KILLS:-}" ] && args+=(--watch-kills "$WATCH_KILLS")
[ -n "${JOBS:-}" ] && args+=(--jobs "$JOBS")
python3 "$(dirname "$0")/crash_harness.py" "${args[@]}"
rc=$?
if [ $rc -ne 0 ] && [ $rc -ne 77 ]; then
    # lib.sh's trap removes $WORK: keep the evidence.
    keep=$(mktemp -d /tmp/i2vfs-crash-failed-XXXXXX)
    cp -a "$WORK/crash/." "$keep/" 2>/dev/null
    echo "# the run's files are kept in $keep"
fi
exit $rc
