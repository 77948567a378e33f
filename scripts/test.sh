#!/usr/bin/env bash
# Runs the whole test suite: unit, API, integration (real nbd-server and NBD clients),
# browser (Debian's chromium) and VM boot (QEMU) tests, installing what they need first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh test
exec dotnet test nbdmux.sln "$@"
