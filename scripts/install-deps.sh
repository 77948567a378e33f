#!/usr/bin/env bash
# Installs the Debian packages nbdmux needs: `run` for the daemon, `test` for the test suite too.
# gcc builds the library that makes nbd-server restarts (new export names) fast; see
# src/Nbdmux.Infrastructure/NbdServer/Preload/nbd_server_preload.c. nbdkit serves the exports through a plugin
# that gcc builds with nbdkit-plugin-dev's header (src/Nbdmux.Infrastructure/Nbdkit/Plugin/nbdmux_plugin.c).
# qemu-utils' qemu-img converts warmed qcow2 images to raw; libzstd1 unpacks zstd warms (dpkg itself
# depends on it, so it is always there); the tests pack their warm fixtures with
# gzip, zstd, xz-utils and bzip2; the shared-registry tests start a throwaway cluster of Debian's postgresql
# (tests/Nbdmux.Testing/PostgreSqlServer.cs). The VM tests' ramboot guest copies Debian's nbd-client, its
# libraries and its initramfs script from this host (tests/vm/build-guest.sh); the kernel,
# initramfs-tools-core and klibc are fetched there with apt-get download, not installed.
set -euo pipefail

case "${1:-run}" in
  run)  packages=(nbd-server gcc nbdkit nbdkit-plugin-dev qemu-utils libzstd1) ;;
  test) packages=(nbd-server gcc nbdkit nbdkit-plugin-dev qemu-utils libzstd1 libnbd-bin chromium qemu-system-x86 busybox-static e2fsprogs cpio nbd-client python3 gzip zstd xz-utils bzip2 postgresql) ;;
  *)    echo "usage: $0 [run|test]" >&2; exit 2 ;;
esac

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "Installing: ${missing[*]}" >&2
$sudo apt-get update -q >&2
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
