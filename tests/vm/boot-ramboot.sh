#!/bin/bash
# Boot the ramboot guest: no disk, a virtio NIC on QEMU's user network (the
# guest reaches the host's 127.0.0.1 at 10.0.2.2), and the kernel's own NBD
# client attaching the root as the kernel command line says. Guest console on
# stdout. Exit status is QEMU's (124 if the hard timeout fired).
set -euo pipefail

[ $# -ge 3 ] || { echo "usage: $0 KERNEL INITRD KERNEL-ARGUMENT..." >&2; exit 2; }
kernel=$1 initrd=$2
shift 2

# As boot.sh: TCG, a hard timeout against a hung guest, stdin /dev/null.
# panic=-1 also makes initramfs-tools' panic reboot at once, which -no-reboot
# turns into QEMU's exit: a failed boot ends instead of waiting in a shell.
exec timeout -k 5 "${BOOT_TIMEOUT:-120}" qemu-system-x86_64 \
    -accel tcg -cpu max -m 256 \
    -kernel "$kernel" -initrd "$initrd" \
    -append "console=ttyS0 panic=-1 $*" \
    -netdev user,id=n0 -device virtio-net-pci,netdev=n0 \
    -display none -no-reboot -nodefaults -serial stdio </dev/null
