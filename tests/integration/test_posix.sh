#!/bin/bash
# Integration test: the mount behaves like a real filesystem (DESIGN.md,
# "Behaving like a real filesystem" and "Mounting"), checked with ordinary
# tools and small python3 os.* calls on a real mount.
# Exit 0: pass, 77: skip (no /dev/fuse or fusermount3), other: fail.
set -u

bin=${I2VFS_BIN:-build/i2vfs}
if [ ! -e /dev/fuse ] || ! command -v fusermount3 >/dev/null; then
    echo "no /dev/fuse or fusermount3: skipping"
    exit 77
fi
bin=$(realpath "$bin")
tmp=$(mktemp -d)
mnt=$tmp/mnt
store=$tmp/store
mkdir -p "$mnt" "$store"
pid=

cleanup() {
    if mountpoint -q "$mnt" 2>/dev/null || ! stat "$mnt" >/dev/null 2>&1; then
        fusermount3 -u -z "$mnt" 2>/dev/null
    fi
    if [ -n "$pid" ]; then
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT

passed=0
failed=0
ok() {
    echo "ok   $1"
    passed=$((passed + 1))
}
bad() {
    echo "FAIL $1"
    failed=$((failed + 1))
}
# check NAME CMD...: CMD must succeed.
check() {
    local name=$1
    shift
    if "$@"; then ok "$name"; else bad "$name"; fi
}
# refuses NAME CMD...: CMD must fail.
refuses() {
    local name=$1
    shift
    if "$@" 2>/dev/null; then bad "$name"; else ok "$name"; fi
}
# py NAME CODE: runs python3 CODE with d (the test folder) defined.
py() {
    local name=$1
    check "$name" python3 -c "import ctypes, errno, os, sys
d = sys.argv[1]
$2" "$drop"
}

# Starts the daemon in the foreground with the given arguments and waits
# (with a deadline) until the mount is up.
start() {
    I2VFS_QUIET_MS=50 "$bin" -f "$@" >>"$tmp/log" 2>&1 &
    pid=$!
    local deadline=$((SECONDS + 15))
    while ! mountpoint -q "$mnt"; do
        if ! kill -0 "$pid" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
            echo "the mount did not come up:"
            cat "$tmp/log"
            return 1
        fi
        sleep 0.05
    done
}

# --- the command line, no mount needed --------------------------------
check "--help exits 0" sh -c "'$bin' --help >/dev/null"
check "--version exits 0" sh -c "'$bin' --version | grep -q i2vfs"
check "-h lists the options" sh -c "'$bin' -h | grep -q -- --store"
"$bin" -f -o allow_other "$mnt" >/dev/null 2>"$tmp/err"
rc=$?
check "allow_other without default_permissions is refused" \
    [ $rc -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
    grep -q default_permissions "$tmp/err"
refuses "a store inside the mountpoint is refused" \
    "$bin" -f --store "$mnt/store" "$mnt"
refuses "a missing mountpoint is refused" "$bin" -f --store "$store" \
    "$tmp/nowhere"

# --- mount ------------------------------------------------------------
mkdir -p "$store/local/kenburns/posix/out"
echo result >"$store/local/kenburns/posix/out/old.txt"
# A service manager's notify socket: READY=1 must arrive once mounted.
python3 -c "import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(20)
open(sys.argv[2], 'wb').write(s.recv(256))" "$tmp/notify.sock" "$tmp/ready" &
listener=$!
deadline=$((SECONDS + 10))
until [ -S "$tmp/notify.sock" ] || [ $SECONDS -ge $deadline ]; do
    sleep 0.05
done
if ! NOTIFY_SOCKET=$tmp/notify.sock start --store "$store" "$mnt"; then
    bad "mount comes up"
    echo "$passed passed, $failed failed"
    exit 1
fi
ok "mount comes up"
check "fsname and subtype are i2vfs" \
    grep -q "^i2vfs $mnt fuse.i2vfs " /proc/self/mounts
wait "$listener"
check "READY=1 reaches \$NOTIFY_SOCKET" grep -qx READY=1 "$tmp/ready"
drop=$mnt/local/kenburns/posix
model=$mnt/local/kenburns

# --- generated files --------------------------------------------------
check "README.txt is readable" grep -q . "$mnt/README.txt"
check "README.txt is mode 0444" [ "$(stat -c %a "$mnt/README.txt")" = 444 ]
refuses "README.txt cannot be written" sh -c "echo x >>'$mnt/README.txt'"
refuses "README.txt cannot be removed" rm -f "$mnt/README.txt"
check "MODEL.md is readable" grep -q . "$model/MODEL.md"
check "MODEL.md is mode 0444" [ "$(stat -c %a "$model/MODEL.md")" = 444 ]
refuses "MODEL.md cannot be truncated" truncate -s 0 "$model/MODEL.md"
refuses "MODEL.md cannot be renamed" mv "$model/MODEL.md" "$model/M.md"
check "request.example.json is valid JSON" \
    sh -c "python3 -m json.tool '$model/request.example.json' >/dev/null"
check "generated files are listed" \
    sh -c "ls '$model' | grep -qx MODEL.md && ls '$mnt' | grep -qx README.txt"

# --- the fixed part -----------------------------------------------------
refuses "no new files at the root" touch "$mnt/x.jpg"
refuses "no new files in a route folder" touch "$mnt/local/x.jpg"
refuses "no new folders in a route folder" mkdir "$mnt/local/new"
refuses "a model folder cannot be removed" rmdir "$model"
refuses "a model folder cannot be renamed" mv "$model" "$mnt/local/kb"
check "the store mirrors the tree" [ -d "$store/local/kenburns/posix" ]
check "a model folder's times can be set (as cp -a does)" \
    touch -d "2001-02-03 04:05:06 UTC" "$model"
refuses "a route folder's times cannot be set" touch "$mnt/local"

# --- the drop area ------------------------------------------------------
check "mkdir in a model folder" mkdir "$drop/sub"
check "a written file lands in the store" \
    sh -c "echo hello >'$drop/sub/a.txt' && grep -qx hello '$store/local/kenburns/posix/sub/a.txt'"
py "O_RDWR, O_EXCL, seek, ftruncate, fsync" '
p = d + "/rw.bin"
fd = os.open(p, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
os.write(fd, b"hello world")
os.lseek(fd, 6, os.SEEK_SET)
assert os.read(fd, 5) == b"world"
assert os.lseek(fd, -5, os.SEEK_END) == 6
os.lseek(fd, 0, os.SEEK_SET)
os.write(fd, b"J")
os.ftruncate(fd, 5)
os.fsync(fd)
os.close(fd)
assert open(p, "rb").read() == b"Jello", open(p, "rb").read()
try:
    os.open(p, os.O_RDWR | os.O_CREAT | os.O_EXCL)
    sys.exit("O_EXCL opened an existing file")
except FileExistsError:
    pass'
py "O_APPEND, O_TRUNC and truncate by path" '
p = d + "/rw.bin"
fd = os.open(p, os.O_WRONLY | os.O_APPEND)
os.write(fd, b"!")
os.close(fd)
assert open(p, "rb").read() == b"Jello!"
os.truncate(p, 2)
assert open(p, "rb").read() == b"Je"
fd = os.open(p, os.O_WRONLY | os.O_TRUNC)
os.close(fd)
assert os.stat(p).st_size == 0'
py "an unlinked open file keeps working, unlisted" '
p = d + "/gone.bin"
fd = os.open(p, os.O_RDWR | os.O_CREAT, 0o644)
os.write(fd, b"abc")
os.unlink(p)
os.write(fd, b"def")
assert os.pread(fd, 10, 0) == b"abcdef"
assert os.fstat(fd).st_size == 6
assert not any(n.startswith(".fuse") or n == "gone.bin" for n in os.listdir(d))
os.close(fd)'
touch -d "2001-02-03 04:05:06 UTC" "$drop/sub/a.txt"
check "utimens sets the time" \
    [ "$(stat -c %Y "$drop/sub/a.txt")" = "$(date -d '2001-02-03 04:05:06 UTC' +%s)" ]
chmod 600 "$drop/sub/a.txt"
check "chmod sets the mode" [ "$(stat -c %a "$drop/sub/a.txt")" = 600 ]
check "statfs is the store's" \
    [ "$(stat -f -c %b "$mnt")" = "$(stat -f -c %b "$store")" ]
check "df works on the mount" sh -c "df '$mnt' >/dev/null"
echo one >"$drop/one.txt"
echo two >"$drop/two.txt"
py "RENAME_NOREPLACE fails with EEXIST" '
libc = ctypes.CDLL(None, use_errno=True)
r = libc.renameat2(-100, (d + "/one.txt").encode(), -100,
                   (d + "/two.txt").encode(), 1)
assert r == -1 and ctypes.get_errno() == errno.EEXIST, (r, ctypes.get_errno())
assert open(d + "/two.txt").read() == "two\n"'
py "RENAME_EXCHANGE swaps two files" '
libc = ctypes.CDLL(None, use_errno=True)
r = libc.renameat2(-100, (d + "/one.txt").encode(), -100,
                   (d + "/two.txt").encode(), 2)
assert r == 0, ctypes.get_errno()
assert open(d + "/one.txt").read() == "two\n"
assert open(d + "/two.txt").read() == "one\n"'
if command -v rsync >/dev/null; then
    mkdir -p "$tmp/src/deep"
    echo r1 >"$tmp/src/r1.txt"
    echo r2 >"$tmp/src/deep/r2.txt"
    check "rsync -a into the drop area" rsync -a "$tmp/src/" "$drop/rs/"
    check "rsync's files arrive whole" \
        sh -c "grep -qx r2 '$drop/rs/deep/r2.txt' && ! ls -a '$drop/rs' | grep -q '^\.r'"
fi
check "rename into a subfolder" mv "$drop/one.txt" "$drop/sub/one.txt"
check "a hard link in the model folder" ln "$drop/two.txt" "$drop/sub/two.txt"
check "the link shares the inode" \
    [ "$(stat -c %i "$drop/two.txt")" = "$(stat -c %i "$drop/sub/two.txt")" ]
py "user.* extended attributes pass through" '
p = d + "/two.txt"
os.setxattr(p, "user.i2vfs.test", b"value")
assert os.getxattr(p, "user.i2vfs.test") == b"value"
assert "user.i2vfs.test" in os.listxattr(p)
os.removexattr(p, "user.i2vfs.test")
assert "user.i2vfs.test" not in os.listxattr(p)
try:
    os.setxattr(p, "trusted.i2vfs", b"x")
    sys.exit("a trusted.* attribute was set")
except OSError as e:
    assert e.errno == errno.ENOTSUP, e'
refuses "a symlink to /etc/passwd is refused" ln -s /etc/passwd "$drop/pw"
refuses "a symlink climbing out of the store is refused" \
    ln -s ../../../../etc/passwd "$drop/pw"
check "a symlink inside the folder works" ln -s two.txt "$drop/link"
check "readlink reads it back" [ "$(readlink "$drop/link")" = two.txt ]
check "unlink" rm "$drop/link" "$drop/sub/two.txt"
check "rmdir of an emptied folder" \
    sh -c "rm -f '$drop'/sub/* && rmdir '$drop/sub'"

# --- out/ ---------------------------------------------------------------
out=$drop/out
check "out/ is readable" grep -qx result "$out/old.txt"
refuses "users cannot create in out/" sh -c "echo x >'$out/new.txt'"
refuses "users cannot write in out/" sh -c "echo x >>'$out/old.txt'"
refuses "users cannot chmod in out/" chmod 600 "$out/old.txt"
refuses "users cannot move files into out/" mv "$drop/two.txt" "$out/two.txt"
check "the refused file is untouched" grep -qx result "$out/old.txt"
echo busy >"$store/local/kenburns/posix/out/open.txt"
py "users can delete an open file from out/" '
p = d + "/out/open.txt"
fd = os.open(p, os.O_RDONLY)
os.unlink(p)
assert os.read(fd, 10) == b"busy\n"
os.close(fd)
assert os.listdir(d + "/out") == ["old.txt"], os.listdir(d + "/out")'
check "users can delete from out/" rm "$out/old.txt"
# The hidden name of the file deleted while open goes at its (asynchronous)
# release: allow it a moment.
rmdir_soon() {
    local deadline=$((SECONDS + 5))
    until rmdir "$1" 2>/dev/null; do
        [ $SECONDS -ge $deadline ] && return 1
        sleep 0.05
    done
}
check "users can remove an empty out/" rmdir_soon "$out"

# --- the private folder ------------------------------------------------
check "the store has a private folder" [ -d "$store/.i2vfs" ]
refuses "the private folder is not listed" sh -c "ls -a '$mnt' | grep -qx .i2vfs"
refuses "the private folder cannot be looked up" stat "$mnt/.i2vfs"

# --- a crash leaves a dead mountpoint; the next start cleans it up ----
{
    kill -KILL "$pid"
    wait "$pid"
} 2>/dev/null
pid=
check "a killed daemon leaves a dead mountpoint" \
    sh -c "stat '$mnt' 2>&1 >/dev/null | grep -q 'not connected'"
if start "$store" "$mnt"; then
    ok "a dead mountpoint is cleaned up on start (STORE MOUNTPOINT form)"
else
    bad "a dead mountpoint is cleaned up on start (STORE MOUNTPOINT form)"
fi
check "the cleanup is logged" grep -q "dead mount" "$tmp/log"
check "files survive the restart" [ "$(cat "$drop/two.txt" 2>/dev/null)" = one ]

# --- a signal unmounts cleanly ------------------------------------------
if [ -n "$pid" ]; then
    kill -TERM "$pid"
    wait "$pid"
    rc=$?
    pid=
    check "SIGTERM exits 0" [ $rc -eq 0 ]
    refuses "SIGTERM unmounts" mountpoint -q "$mnt"
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
