# Sourced by the demo scripts: makes a root image with a fresh marker in a new directory,
# registers it with nbdmux as an export, and removes both again when the script exits.
# Uses: url, auth (curl arguments), vm (tests/vm), export_name.
# usage: demo_export WHERE WORD   (the image goes under WHERE; WORD names the directory and marker)
# Sets: work, marker, record (the export's JSON record as nbdmux answered it).

demo_export() {
    work=$(mktemp -d "$1/nbdmux-$2.XXXXXX")
    chmod 755 "$work" # nbd-server may run as another user than this script
    marker=$2-$(date +%Y%m%d-%H%M%S)-$$
    demo_registered=0
    trap demo_export_cleanup EXIT

    echo "== root image with marker $marker"
    "$vm/make-root-image.sh" "$work/root.img" "$marker"
    chmod 644 "$work/root.img"

    echo "== registering export $export_name at $url"
    record=$(curl -sS --fail-with-body "${auth[@]}" -H 'Content-Type: application/json' \
        -d "{\"name\":\"$export_name\",\"file\":\"$work/root.img\",\"readonly\":true}" \
        "$url/exports") || { echo "== nbdmux did not register the export: $record" >&2; exit 1; }
    demo_registered=1
}

# The demo's own export: a guest still attached when the script ends is cut off.
demo_export_cleanup() {
    if [ "$demo_registered" = 1 ]; then
        echo "== removing export $export_name"
        curl -sS --fail-with-body "${auth[@]}" -X DELETE "$url/exports/$export_name?force=true" || true
    fi
    rm -rf "$work"
}
