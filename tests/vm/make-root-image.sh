#!/bin/bash
# Build a 64 MiB ext4 image whose /marker.txt holds MARKER, so a guest that
# prints the marker proves it really read this disk over NBD. It is also a root
# the ramboot guest switches to: static busybox, root-init.sh as /sbin/init, and
# 1 MiB of random data with its checksum to read again after a server restart.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 OUT.img MARKER" >&2; exit 2; }
out=$1 marker=$2

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
printf '%s\n' "$marker" > "$dir/marker.txt"
mkdir -p "$dir"/{bin,sbin,dev,proc,sys,run,tmp}
cp /bin/busybox "$dir/bin/busybox"
cp "$(dirname "$0")/root-init.sh" "$dir/sbin/init"
head -c 1M /dev/urandom > "$dir/data.bin"
(cd "$dir" && sha256sum data.bin > data.sha256)

rm -f "$out"
truncate -s 64M "$out"
# -d populates the filesystem from a directory: no loop mount, no root needed.
mkfs.ext4 -q -F -d "$dir" "$out"
