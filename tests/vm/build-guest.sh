#!/bin/bash
# Build the test guests: CACHE_DIR/vmlinuz (Debian cloud kernel),
# CACHE_DIR/initrd.gz (busybox initramfs running guest-init.sh) and
# CACHE_DIR/ramboot-initrd.gz (Debian's initramfs-tools init and nbd script with
# deploy/ramboot's scripts: the kernel's NBD client over virtio-net).
# Idempotent: does nothing when CACHE_DIR/stamp matches the current inputs.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 CACHE_DIR" >&2; exit 2; }
cache=$1
here=$(cd "$(dirname "$0")" && pwd)
recipe=$here/../../deploy/ramboot/initramfs-tools
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

# Host tools; install only what is missing (apt is slow and needs the lock).
need=()
for p in qemu-system-x86 busybox-static e2fsprogs cpio nbd-client; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
        || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
    echo "installing: ${need[*]}" >&2
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
        -o DPkg::Lock::Timeout=300 --no-install-recommends "${need[@]}" >&2
fi

# The metapackage's dependency names the versioned kernel package.
kpkg=$(apt-cache depends linux-image-cloud-amd64 \
    | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
[ -n "$kpkg" ] || { echo "cannot resolve linux-image-cloud-amd64" >&2; exit 1; }

# The stamp records every input, so a new kernel or an edited init rebuilds.
inputs=$(cd "$here/../.." && find tests/vm/build-guest.sh tests/vm/guest-init.sh tests/vm/ramboot deploy/ramboot/initramfs-tools \
    -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
stamp="$kpkg $(dpkg-query -W -f='${Version}' nbd-client) $inputs"
if [ -s "$cache/vmlinuz" ] && [ -s "$cache/initrd.gz" ] && [ -s "$cache/ramboot-initrd.gz" ] &&
   [ "$(cat "$cache/stamp" 2>/dev/null)" = "$stamp" ]; then
    echo "guest up to date in $cache ($kpkg)" >&2
    exit 0
fi
rm -f "$cache/stamp"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Fetch and unpack the kernel without installing it on the host. The temp dir
# is private to root, so skip apt's _apt sandbox user (avoids a warning).
# initramfs-tools-core and klibc come the same way, for the ramboot guest.
(cd "$work" && apt-get download -q -o APT::Sandbox::User=root \
    "$kpkg" initramfs-tools-core klibc-utils libklibc >&2)
dpkg -x "$work"/"$kpkg"_*.deb "$work/kernel"
for deb in initramfs-tools-core klibc-utils libklibc; do
    dpkg -x "$work"/"$deb"_*.deb "$work/initramfs-tools"
done
kver=${kpkg#linux-image-}
mods="$work/kernel/lib/modules/$kver/kernel"

# Initramfs tree: static busybox, our init, and just the modules init loads.
root="$work/root"
mkdir -p "$root"/{bin,dev,proc,sys,mnt,lib/modules}
cp /bin/busybox "$root/bin/busybox"
cp "$here/guest-init.sh" "$root/init"
chmod 755 "$root/init"
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev \
         virtio_pci virtio_blk overlay; do
    ko=$(find "$mods" -name "$m.ko" | head -n1)
    [ -n "$ko" ] || { echo "module $m.ko not in $kpkg" >&2; exit 1; }
    cp "$ko" "$root/lib/modules/"
done

# Ramboot initramfs, laid out as mkinitramfs would from a target with the
# packages of deploy/ramboot/README.md: initramfs-tools' init and functions,
# klibc's tools, Debian's nbd-client with its libraries and its local-top/nbd
# script, deploy/ramboot's files where /etc/initramfs-tools would put them,
# and the test's own scripts (tests/vm/ramboot: no udev here, a pause hook).
ramboot="$work/ramboot"
tools="$work/initramfs-tools"
mkdir -p "$ramboot"/{bin,sbin,conf/conf.d,scripts,run,lib/modules}
cp /bin/busybox "$ramboot/bin/busybox"
for applet in $(busybox --list-full); do
    [ "$applet" = bin/busybox ] && continue
    mkdir -p "$ramboot/$(dirname "$applet")"
    ln -s /bin/busybox "$ramboot/$applet"
done
cp -r "$tools/usr/lib/klibc" "$ramboot/klibc"
cp "$tools"/lib/klibc-*.so "$ramboot/lib/"
for tool in ipconfig run-init fstype; do
    ln -sf /klibc/bin/$tool "$ramboot/bin/$tool"
done
cp "$tools/usr/share/initramfs-tools/init" "$ramboot/init"
cp -r "$tools/usr/share/initramfs-tools/scripts/." "$ramboot/scripts/"
cp "$tools/etc/initramfs-tools/initramfs.conf" "$ramboot/conf/initramfs.conf"
echo "DPKG_ARCH=amd64" > "$ramboot/conf/arch.conf"
# Without udev nothing loads drivers by modalias: name them (init's load_modules).
printf '%s\n' virtio_pci virtio_net > "$ramboot/conf/modules"
mkdir -p "$ramboot/scripts/local-top"
cp /usr/share/initramfs-tools/scripts/local-top/nbd "$ramboot/scripts/local-top/nbd"
cp /usr/sbin/nbd-client "$ramboot/sbin/nbd-client"
for lib in $(ldd /usr/sbin/nbd-client | grep -o '/[^ ]*'); do
    mkdir -p "$ramboot$(dirname "$lib")"
    cp -L "$lib" "$ramboot$lib"
done
cp -r "$recipe/conf.d/." "$ramboot/conf/conf.d/"
cp -r "$recipe/scripts/." "$ramboot/scripts/"
cp -r "$here/ramboot/scripts/." "$ramboot/scripts/"
kmods="$ramboot/lib/modules/$kver/kernel"
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev \
         virtio_pci failover net_failover virtio_net nbd overlay; do
    ko=$(find "$mods" -name "$m.ko" | head -n1)
    [ -n "$ko" ] || { echo "module $m.ko not in $kpkg" >&2; exit 1; }
    mkdir -p "$kmods/$(dirname "${ko#"$mods"/}")"
    cp "$ko" "$kmods/${ko#"$mods"/}"
done
busybox depmod -b "$ramboot" "$kver"
# The run order of each script directory, as mkinitramfs caches it (CONFDIR is
# where hook-functions looks for the scripts: here, the tree itself).
CONFDIR=$ramboot sh -c '. "$1/usr/share/initramfs-tools/hook-functions"
    for dir in $(cd "$2/scripts" && find . -mindepth 1 -type d); do
        cache_run_scripts "$2" "/scripts/${dir#./}"
    done' sh "$tools" "$ramboot"

# Write to temporaries and rename, so an interrupted run never looks complete.
cp "$work/kernel/boot/vmlinuz-$kver" "$cache/vmlinuz.tmp"
(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -9 > "$cache/initrd.gz.tmp"
(cd "$ramboot" && find . | cpio -o -H newc --quiet) | gzip -9 > "$cache/ramboot-initrd.gz.tmp"
mv "$cache/vmlinuz.tmp" "$cache/vmlinuz"
mv "$cache/initrd.gz.tmp" "$cache/initrd.gz"
mv "$cache/ramboot-initrd.gz.tmp" "$cache/ramboot-initrd.gz"
echo "$stamp" > "$cache/stamp"
echo "built guest in $cache ($kpkg)" >&2
