#!/usr/bin/env bash
# Benchmarks nbdmux: builds it in Release, measures it on both NBD backends and the Python
# nbdmux 0.2.1 side by side on loopback with fresh data dirs, then three nbdmux nodes on one
# throwaway PostgreSQL, and writes bench/RESULTS.md. See bench/README.md.
#   bench/run.sh [--quick] [--cluster-only] [--out FILE]
set -euo pipefail
cd "$(dirname "$0")/.."

flags=()
out=""
cluster_only=false
while [ $# -gt 0 ]; do
  case "$1" in
    --quick)        flags+=(--quick) ;;
    --cluster-only) flags+=(--cluster-only); cluster_only=true ;;
    --out)   out="$2"; shift ;;
    *)       echo "usage: $0 [--quick] [--cluster-only] [--out FILE]" >&2; exit 2 ;;
  esac
  shift
done
# RESULTS.md holds a whole run: the cluster phase alone is written beside the daemons' logs.
if [ -z "$out" ]; then
  out=bench/RESULTS.md
  if $cluster_only; then mkdir -p bench/out; out=bench/out/RESULTS-cluster.md; fi
fi

missing=()
for package in nbd-server libnbd-bin nbdkit zstd curl postgresql; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "Installing: ${missing[*]}" >&2
  $sudo apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
fi

dotnet build src/Nbdmux.Api -c Release -v quiet -nologo
dotnet build bench/Nbdmux.Bench -c Release -v quiet -nologo

# CI copies shared/ next to the clone; without it, 0.2.1's figures say "not measured".
reference="$(pwd)/../shared/reference/nbdmux-0.2.1"

commit="$(git rev-parse --short HEAD)"
git diff --quiet HEAD -- src bench/Nbdmux.Bench || commit="$commit + uncommitted changes"
work="$(mktemp -d /var/tmp/nbdmux-bench.XXXXXX)"
# The daemons' logs of the run are kept in bench/out/ (not committed) for looking into a figure.
trap 'mkdir -p bench/out && cp "$work"/*.log bench/out/ 2>/dev/null; rm -rf "$work"' EXIT

dotnet bench/Nbdmux.Bench/bin/Release/net10.0/Nbdmux.Bench.dll "${flags[@]}" \
  --api-dll src/Nbdmux.Api/bin/Release/net10.0/Nbdmux.Api.dll --reference "$reference" \
  --out "$out" --work-dir "$work" --commit "$commit" --analysis bench/ANALYSIS.md
