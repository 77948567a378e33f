#!/usr/bin/env bash
# Runs nbdmux from this checkout, installing Debian's nbd-server first if it is missing.
# Arguments go to nbdmux (see --help), e.g. scripts/run.sh --data-dir ./data --bind 0.0.0.0
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh run
exec dotnet run --project src/Nbdmux.Api -c Release -- "$@"
