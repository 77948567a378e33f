#!/bin/bash
# Watch a virtual machine boot from a running nbdmux: builds the test guest of
# tests/vm (cached), registers a fresh root image as an export through the HTTP
# API, boots QEMU from it over NBD with the guest console on this terminal, and
# removes the export again.
#
# usage: scripts/demo-boot.sh [NBDMUX_URL] [NBD_HOST:PORT]
#   NBDMUX_URL     default http://127.0.0.1:8082
#   NBD_HOST:PORT  default 127.0.0.1:10809
# env: NBDMUX_ADMIN_PASSWORD  sent as a bearer token when set
#      NBDMUX_VM_CACHE        guest build cache (default ~/.cache/nbdmux-vm)
# The root image goes into nbdmux's first image root (GET /images says which), so
# this script must run on nbdmux's host as a user who may write there.
set -euo pipefail

[ $# -le 2 ] || { sed -n '7,13p' "$0" >&2; exit 2; }
url=${1:-http://127.0.0.1:8082}
nbd=${2:-127.0.0.1:10809}
repo=$(cd "$(dirname "$0")/.." && pwd)
vm=$repo/tests/vm
cache=${NBDMUX_VM_CACHE:-$HOME/.cache/nbdmux-vm}
auth=()
[ -z "${NBDMUX_ADMIN_PASSWORD:-}" ] || auth=(-H "Authorization: Bearer $NBDMUX_ADMIN_PASSWORD")

# Asked first: a wrong URL or password should not wait for the guest to build.
images=$(curl -sS --fail-with-body "${auth[@]}" "$url/images?page_size=1") || {
    echo "== nbdmux at $url did not list its image roots (is it running there? is NBDMUX_ADMIN_PASSWORD right?)" >&2; exit 1; }
root=$(printf '%s' "$images" | sed -n 's/.*"roots":\["\([^"]*\)".*/\1/p')
[ -n "$root" ] || { echo "== nbdmux at $url answered GET /images without image roots: $images" >&2; exit 1; }
[ -d "$root" ] && [ -w "$root" ] || {
    echo "== nbdmux serves images only from $root, which this user cannot write to (or which is not on this host):" >&2
    echo "   run this script there as a user who can write to $root, or start nbdmux with --images-dir set to a directory you can write" >&2
    exit 1; }

echo "== building the guest (cached in $cache)"
"$vm/build-guest.sh" "$cache"

export_name=demo-boot-$$
# shellcheck source=scripts/demo-export.sh
. "$repo/scripts/demo-export.sh"
demo_export "$root" demo
echo "$record"

uri=nbd://$nbd/$export_name
echo "== booting from $uri (QEMU, TCG; a few seconds)"
# loglevel=7 overrides boot.sh's `quiet`: a demo should show the kernel finding the disk.
"$vm/boot.sh" "$cache/vmlinuz" "$cache/initrd.gz" "$uri" loglevel=7 | tee "$work/console" || {
    echo "== QEMU could not boot from $uri (is nbdmux serving NBD on $nbd?)" >&2; exit 1; }

if tr -d '\r' <"$work/console" | grep -qx "NBDMUX-MARKER:$marker"; then
    echo "== the guest read its root disk over NBD from nbdmux: marker $marker"
else
    echo "== the guest did not print marker $marker" >&2
    exit 1
fi
