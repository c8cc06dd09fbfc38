#!/bin/sh
# Installs every Debian 12 package that building, running and testing i2vfs
# needs. Does nothing when they are all present already.
set -eu

PKGS="build-essential pkg-config clang clang-format
libfuse3-dev fuse3 libcurl4-openssl-dev libcjson-dev libssl-dev
libavcodec-dev libavformat-dev libavutil-dev libswscale-dev libx264-dev
ffmpeg inotify-tools rsync python3 libglib2.0-bin procps"

missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
        missing="$missing $p"
done
[ -z "$missing" ] && exit 0

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing:$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
