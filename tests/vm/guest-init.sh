#!/bin/busybox sh
# /init of the test guest (busybox initramfs built by build-guest.sh).
# Every outcome ends in `poweroff -f` so QEMU exits (-no-reboot) instead of
# hanging until the host-side timeout; failures print NBDMUX-FAIL:<reason>.
/bin/busybox --install -s /bin
export PATH=/bin

fail() {
    echo "NBDMUX-FAIL:$*"
    sync
    poweroff -f
    sleep 5   # poweroff -f is immediate; never fall through to a dead init
}

mount -t proc proc /proc || fail "mount proc"
mount -t sysfs sys /sys || fail "mount sysfs"
mount -t devtmpfs dev /dev || fail "mount devtmpfs"

# The kernel package ships no modules.dep, so load by hand in dependency order.
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev \
         virtio_pci virtio_blk overlay; do
    insmod "/lib/modules/$m.ko" || fail "insmod $m"
done

# virtio_blk probes asynchronously: /dev/vda shows up a little later.
i=0
while [ ! -b /dev/vda ]; do
    i=$((i + 1))
    [ "$i" -gt 100 ] && fail "no /dev/vda after 10s"
    sleep 0.1
done

rw=0
case " $(cat /proc/cmdline) " in *" nbdmux.rw=1 "*) rw=1 ;; esac

if [ "$rw" = 1 ]; then
    # Copy-on-write export variant: write straight to the disk.
    mount -t ext4 -o rw /dev/vda /mnt || fail "mount /dev/vda rw"
    echo "written by guest" > /mnt/written-by-guest.txt || fail "write to disk"
    sync
    [ "$(cat /mnt/written-by-guest.txt)" = "written by guest" ] \
        || fail "read back written-by-guest.txt"
    echo "NBDMUX-RW-WRITE:ok"
    [ -f /mnt/marker.txt ] || fail "no /marker.txt on disk"
    echo "NBDMUX-MARKER:$(cat /mnt/marker.txt)"
    umount /mnt || fail "umount /dev/vda"
else
    # Ramboot style: read-only disk below, tmpfs above, overlay merged.
    mkdir -p /lower /rw /merged
    mount -t ext4 -o ro /dev/vda /lower || fail "mount /dev/vda ro"
    mount -t tmpfs tmpfs /rw || fail "mount tmpfs"
    mkdir -p /rw/upper /rw/work
    mount -t overlay overlay \
        -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work /merged \
        || fail "mount overlay"
    [ -f /merged/marker.txt ] || fail "no /marker.txt on disk"
    echo "NBDMUX-MARKER:$(cat /merged/marker.txt)"
    if echo "overlay ok" > /merged/overlay-test.txt 2>/dev/null &&
       [ "$(cat /merged/overlay-test.txt)" = "overlay ok" ]; then
        echo "NBDMUX-OVERLAY-WRITE:ok"
    else
        echo "NBDMUX-OVERLAY-WRITE:fail"
    fi
fi

sync
poweroff -f
