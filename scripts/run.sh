#!/usr/bin/env bash
# Runs nbdmux from this checkout, installing its NBD servers first if they are missing.
# Arguments go to nbdmux (see --help), e.g. scripts/run.sh --data-dir ./data --bind 0.0.0.0
# Relative paths (--data-dir, --images-dir) are taken from the directory this is run in.
set -euo pipefail
caller=$PWD
repo=$(cd "$(dirname "$0")/.." && pwd)
"$repo/scripts/install-deps.sh" run
dotnet build "$repo/src/Nbdmux.Api" -c Release --nologo -v quiet -clp:NoSummary >&2
cd "$caller"
exec dotnet "$repo/src/Nbdmux.Api/bin/Release/net10.0/Nbdmux.Api.dll" "$@"
