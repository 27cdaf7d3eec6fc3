#!/usr/bin/env bash
# Refreshes the numbers in docs/performance.md in a few minutes: BenchmarkDotNet's short job over every benchmark
# (verify-only, the full pipeline at 10/100/1,000 rules against its floor, and the CloudTrail path against the Config
# path at the same sizes with EC2 answered in process), then the cold-start timings.
# Not part of CI: `dotnet test` never runs SgNotifier.Benchmarks (it is not a test project).
# Usage: bench/run.sh [benchmarks|coldstart|all] [extra BenchmarkDotNet arguments…]
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-all}
shift || true
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

echo "bench: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
if [ "$what" = all ] || [ "$what" = benchmarks ]; then
  dotnet run -c Release --project SgNotifier.Benchmarks -- --job short --filter '*' "$@"
  echo "bench: tables in BenchmarkDotNet.Artifacts/results/*-report-github.md"
fi
if [ "$what" = all ] || [ "$what" = coldstart ]; then
  bench/coldstart.sh "${COLDSTART_RUNS:-10}"
fi
