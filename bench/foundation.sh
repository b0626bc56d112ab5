#!/usr/bin/env bash
# The foundation's figures, measured the way a newcomer meets them, in a fresh clone:
#   1. cold release build time (empty target/, crates already downloaded)
#   2. time from an empty var/ to `demo` ready (initdb, start, migrate, load the surveys)
#   3. demo again with the cluster running (what every later start costs)
#   4. wall time of the README's test command after the build
# Usage: bench/foundation.sh [CLONE_DIR]   (default: a new folder under /tmp)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${1:-$(mktemp -d /tmp/mint-bench.XXXXXX)}
mkdir -p "$work" && chmod 755 "$work"
git clone --quiet "$repo" "$work/mint-survey"
cd "$work/mint-survey"
cargo fetch --quiet

seconds() { python3 -c 'import time; print(f"{time.monotonic():.3f}")'; }
elapsed() { python3 -c "print(f'{$2 - $1:.1f}')"; }

echo "machine: $(nproc) cores, $(rustc --version)"
t0=$(seconds); cargo build --release --quiet; t1=$(seconds)
echo "cold release build: $(elapsed "$t0" "$t1") s"

rm -rf var
t0=$(seconds); ./target/release/mint-survey demo --no-serve > /tmp/mint-bench-demo.txt; t1=$(seconds)
echo "demo from an empty var/: $(elapsed "$t0" "$t1") s"
t0=$(seconds); ./target/release/mint-survey demo --no-serve > /dev/null; t1=$(seconds)
echo "demo with the cluster running: $(elapsed "$t0" "$t1") s"
./target/release/mint-survey db stop > /dev/null

cargo test --no-run --quiet 2> /dev/null
t0=$(seconds); cargo test --quiet > /tmp/mint-bench-tests.txt 2>&1; t1=$(seconds)
echo "test suite after the build (cargo test): $(elapsed "$t0" "$t1") s ($(grep -h 'test result' /tmp/mint-bench-tests.txt | awk '{s+=$4} END {print s}') tests)"
t0=$(seconds); cargo test --quiet > /dev/null 2>&1; t1=$(seconds)
echo "test suite again, test cluster and template in place: $(elapsed "$t0" "$t1") s"
"$work/mint-survey/target/release/mint-survey" db stop > /dev/null 2>&1 || true
pg_ctl_dir=$(ls -d /usr/lib/postgresql/*/bin | tail -1)
if [ -f target/tmp/postgres/postmaster.pid ]; then
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$pg_ctl_dir/pg_ctl" -D target/tmp/postgres stop -m fast > /dev/null; else "$pg_ctl_dir/pg_ctl" -D target/tmp/postgres stop -m fast > /dev/null; fi
fi
echo "clone left in $work (rm -rf it when done)"
