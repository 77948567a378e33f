#!/bin/busybox sh
# /sbin/init of the test root image (make-root-image.sh). The ramboot guest's initramfs switches
# to it once the export is the root, under overlayfs; it checks what a booted machine sees and
# powers off. Lines for the tests: NBDMUX-ROOT:<fstype of />, NBDMUX-MARKER:<marker>,
# NBDMUX-OVERLAY-WRITE:ok|fail and, with nbdmux.test.hold=SECONDS, NBDMUX-HOLDING then after
# that long NBDMUX-REREAD:ok|fail (the whole of /data.bin read again from the export).
export PATH=/bin
b=/bin/busybox

hold=0
for arg in $($b cat /proc/cmdline); do
    case $arg in nbdmux.test.hold=*) hold=${arg#nbdmux.test.hold=} ;; esac
done

echo "NBDMUX-ROOT:$($b awk '$2 == "/" { fs = $3 } END { print fs }' /proc/mounts)"
echo "NBDMUX-MARKER:$($b cat /marker.txt)"
if echo "overlay ok" > /overlay-test.txt 2>/dev/null && [ "$($b cat /overlay-test.txt)" = "overlay ok" ]; then
    echo "NBDMUX-OVERLAY-WRITE:ok"
else
    echo "NBDMUX-OVERLAY-WRITE:fail"
fi

if [ "$hold" != 0 ]; then
    echo "NBDMUX-HOLDING"
    $b sleep "$hold"
    # Forget the cached pages, so the check below reads the export over NBD again.
    echo 3 > /proc/sys/vm/drop_caches
    if (cd / && $b sha256sum -c -s /data.sha256); then
        echo "NBDMUX-REREAD:ok"
    else
        echo "NBDMUX-REREAD:fail"
    fi
fi

$b sync
$b poweroff -f
