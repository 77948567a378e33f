#!/bin/bash
# Watch a machine ramboot from a running nbdmux, the way deploy/ramboot sets a
# target up: builds the ramboot guest of tests/vm (cached: Debian's cloud
# kernel, initramfs-tools' init, Debian's nbd-client and its initramfs script,
# deploy/ramboot's scripts), registers a fresh root image through the HTTP API,
# and boots QEMU with the kernel command line nbdmux gives for the export. The
# guest attaches the export with the kernel's NBD client over virtio-net, mounts
# it read-only under a tmpfs overlay, switches to it, prints the marker it read
# and writes into its overlay. The export is removed at the end.
#
# usage: scripts/demo-ramboot.sh [NBDMUX_URL] [NBD_HOST:PORT]
#   NBDMUX_URL     default http://127.0.0.1:8082
#   NBD_HOST:PORT  default 127.0.0.1:10809 (as the guest reaches it: 127.0.0.1
#                  and localhost become QEMU's 10.0.2.2, the host's loopback)
# env: NBDMUX_ADMIN_PASSWORD  sent as a bearer token when set
#      NBDMUX_VM_CACHE        guest build cache (default ~/.cache/nbdmux-vm)
#      NBDMUX_RAMBOOT_APPEND  more kernel arguments (tests: nbdmux.test.pause=,
#                             nbdmux.test.hold=; deploy/ramboot: nbdmux.retry=)
#      NBDMUX_EXPORT          export name (default demo-ramboot-PID)
#      TMPDIR                 where the root image goes; nbdmux must see the
#                             same path (same host, no PrivateTmp)
# Exit 0 when the guest read the marker from its root and wrote into its
# overlay (and, with nbdmux.test.hold=, read its root again afterwards).
set -euo pipefail

[ $# -le 2 ] || { sed -n '12,22p' "$0" >&2; exit 2; }
url=${1:-http://127.0.0.1:8082}
nbd=${2:-127.0.0.1:10809}
repo=$(cd "$(dirname "$0")/.." && pwd)
vm=$repo/tests/vm
cache=${NBDMUX_VM_CACHE:-$HOME/.cache/nbdmux-vm}
append=${NBDMUX_RAMBOOT_APPEND:-}
export_name=${NBDMUX_EXPORT:-demo-ramboot-$$}
auth=()
[ -z "${NBDMUX_ADMIN_PASSWORD:-}" ] || auth=(-H "Authorization: Bearer $NBDMUX_ADMIN_PASSWORD")

nbd_host=${nbd%:*} nbd_port=${nbd##*:}
case $nbd_host in 127.0.0.1 | localhost | "[::1]") nbd_host=10.0.2.2 ;; esac

echo "== building the guest (cached in $cache)"
"$vm/build-guest.sh" "$cache"

# shellcheck source=scripts/demo-export.sh
. "$repo/scripts/demo-export.sh"
demo_export "${TMPDIR:-/tmp}" ramboot
line=$(printf '%s' "$record" | sed -n 's/.*"kernel_command_line":"\([^"]*\)".*/\1/p')
[ -n "$line" ] || { echo "== the record has no kernel_command_line: $record" >&2; exit 1; }
echo "== nbdmux says a target boots with: $line"
# This guest is behind QEMU's NAT: only the server part of nbdroot= changes.
guest_line=$(printf '%s' "$line" | sed "s#nbdroot=[^ ]*/$export_name#nbdroot=$nbd_host:$nbd_port/$export_name#")
echo "== booting QEMU (TCG) with: $guest_line${append:+ $append}"

started=$(date +%s%N)
# The console goes to this terminal and to a file; the marker's arrival is timed.
set +e
# shellcheck disable=SC2086 # the kernel command line is a word list
"$vm/boot-ramboot.sh" "$cache/vmlinuz" "$cache/ramboot-initrd.gz" $guest_line $append |
    while IFS= read -r console_line; do
        printf '%s\n' "$console_line"
        printf '%s\n' "$console_line" >> "$work/console"
        case $console_line in
        NBDMUX-MARKER:*) echo $(( ($(date +%s%N) - started) / 1000000 )) > "$work/marker-ms" ;;
        esac
    done
set -e

[ ! -s "$work/marker-ms" ] || echo "== the guest printed its marker $(cat "$work/marker-ms") ms after QEMU started"
console=$(tr -d '\r' < "$work/console" 2>/dev/null || true)
failed=()
grep -qx "NBDMUX-MARKER:$marker" <<<"$console" || failed+=("read marker $marker from its root")
grep -qx "NBDMUX-ROOT:overlay" <<<"$console" || failed+=("run on an overlay root")
grep -qx "NBDMUX-OVERLAY-WRITE:ok" <<<"$console" || failed+=("write into its overlay")
case " $append " in
*" nbdmux.test.hold="*) grep -qx "NBDMUX-REREAD:ok" <<<"$console" || failed+=("read its root again after the hold") ;;
esac
if [ ${#failed[@]} -gt 0 ]; then
    printf '== the guest did not %s\n' "${failed[@]}" >&2
    exit 1
fi
echo "== the guest rambooted from nbdmux: it read marker $marker from its root and wrote into its tmpfs overlay"
