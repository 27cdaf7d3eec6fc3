#!/usr/bin/env bash
# Cold start: publishes bench/ColdStart.Minimal and the sgnotifier CLI with and without ReadyToRun, then times
# process start to first decision for each (bench/coldstart.py). No network: preview reads certificates from
# SgNotifier.Tests/TestData/Sns/certs and serve answers on 127.0.0.1 only.
# Usage: bench/coldstart.sh [RUNS]   (default 10)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
out=${COLDSTART_OUT:-${TMPDIR:-/tmp}/sgnotifier-coldstart}
rid=linux-x64
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

rm -rf "$out" && mkdir -p "$out"
for r2r in false true; do
  build=$([ "$r2r" = true ] && echo r2r || echo jit)
  echo "coldstart: publishing ($build)"
  dotnet publish bench/ColdStart.Minimal -c Release -r "$rid" --self-contained false -p:PublishReadyToRun=$r2r -o "$out/minimal-$build" -v quiet -nologo
  dotnet publish SgNotifier.Cli -c Release -r "$rid" --self-contained false -p:PublishReadyToRun=$r2r -o "$out/cli-$build" -v quiet -nologo
done
du -sh "$out"/* | sed 's/^/coldstart: size /'
echo "coldstart: machine: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"
python3 bench/coldstart.py "$out" "$runs"
