#!/bin/bash
# Build the test guest: CACHE_DIR/vmlinuz (Debian cloud kernel) and
# CACHE_DIR/initrd.gz (busybox initramfs running guest-init.sh).
# Idempotent: does nothing when CACHE_DIR/stamp matches the current inputs.
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 CACHE_DIR" >&2; exit 2; }
cache=$1
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

# Host tools; install only what is missing (apt is slow and needs the lock).
need=()
for p in qemu-system-x86 busybox-static e2fsprogs cpio; do
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
stamp="$kpkg $(sha256sum "$here/guest-init.sh" | cut -d' ' -f1)"
if [ -s "$cache/vmlinuz" ] && [ -s "$cache/initrd.gz" ] &&
   [ "$(cat "$cache/stamp" 2>/dev/null)" = "$stamp" ]; then
    echo "guest up to date in $cache ($kpkg)" >&2
    exit 0
fi
rm -f "$cache/stamp"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Fetch and unpack the kernel without installing it on the host. The temp dir
# is private to root, so skip apt's _apt sandbox user (avoids a warning).
(cd "$work" && apt-get download -q -o APT::Sandbox::User=root "$kpkg" >&2)
dpkg -x "$work"/"$kpkg"_*.deb "$work/kernel"
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

# Write to temporaries and rename, so an interrupted run never looks complete.
cp "$work/kernel/boot/vmlinuz-$kver" "$cache/vmlinuz.tmp"
(cd "$root" && find . | cpio -o -H newc --quiet) | gzip -9 > "$cache/initrd.gz.tmp"
mv "$cache/vmlinuz.tmp" "$cache/vmlinuz"
mv "$cache/initrd.gz.tmp" "$cache/initrd.gz"
echo "$stamp" > "$cache/stamp"
echo "built guest in $cache ($kpkg)" >&2
