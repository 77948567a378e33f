#!/bin/bash
# Boot the test guest with its disk attached from an NBD export by QEMU's own
# NBD client, and print the guest console on stdout. Exit status is QEMU's
# (124 if the hard timeout fired).
set -euo pipefail

[ $# -ge 3 ] && [ $# -le 4 ] || {
    echo "usage: $0 KERNEL INITRD NBD_URI [extra-append]" >&2; exit 2; }
kernel=$1 initrd=$2 uri=$3 extra=${4:-}

# Read-only unless the guest is told to write to the disk (rw variant).
drive="file=$uri,format=raw,if=virtio"
case " $extra " in
    *" nbdmux.rw=1 "*) ;;
    *) drive="$drive,readonly=on" ;;
esac

# No KVM on these machines: TCG. A usual boot takes a few seconds; the
# timeout only guards against a hung guest or server. stdin is /dev/null:
# the guest needs no input, and a tty on stdin would let QEMU (in timeout's
# background process group) stop on SIGTTOU.
exec timeout -k 5 "${BOOT_TIMEOUT:-120}" qemu-system-x86_64 \
    -accel tcg -cpu max -m 256 \
    -kernel "$kernel" -initrd "$initrd" \
    -append "console=ttyS0 panic=-1 quiet${extra:+ $extra}" \
    -drive "$drive" \
    -display none -no-reboot -nodefaults -serial stdio </dev/null
