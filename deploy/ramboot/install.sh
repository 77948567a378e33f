#!/bin/sh
# Run as root on the target image (or in a chroot of it): installs the packages the ramboot
# recipe builds on and nbdmux's initramfs-tools files, then rebuilds the initramfs.
set -eu
here=$(cd "$(dirname "$0")" && pwd)

DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nbd-client initramfs-tools
install -m 0644 "$here/initramfs-tools/conf.d/nbdmux" /etc/initramfs-tools/conf.d/nbdmux
install -m 0755 "$here/initramfs-tools/hooks/nbdmux" /etc/initramfs-tools/hooks/nbdmux
install -m 0755 "$here/initramfs-tools/scripts/nbdmux-nbd-client" /etc/initramfs-tools/scripts/nbdmux-nbd-client
install -d /etc/initramfs-tools/scripts/init-bottom
install -m 0755 "$here/initramfs-tools/scripts/init-bottom/nbdmux-overlay" /etc/initramfs-tools/scripts/init-bottom/nbdmux-overlay
update-initramfs -u -k all
