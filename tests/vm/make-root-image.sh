#!/bin/bash
# Build a 64 MiB ext4 image whose /marker.txt holds MARKER, so a guest that
# prints the marker proves it really read this disk over NBD.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: $0 OUT.img MARKER" >&2; exit 2; }
out=$1 marker=$2

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
printf '%s\n' "$marker" > "$dir/marker.txt"

rm -f "$out"
truncate -s 64M "$out"
# -d populates the filesystem from a directory: no loop mount, no root needed.
mkfs.ext4 -q -F -d "$dir" "$out"
