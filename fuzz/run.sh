#!/usr/bin/env bash
# Runs every fuzz target (or those named after SECONDS) for SECONDS seconds each, one after the
# other, and prints per target the executions, executions per second, corpus size and crashes.
#
#   fuzz/run.sh 600                 # every target, ten minutes each
#   fuzz/run.sh 60 form multipart   # two targets, a minute each
#
# Needs a nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). The corpus grows in
# fuzz/corpus/<target> (seeded from fuzz/seeds/<target>); crashing inputs land in
# fuzz/artifacts/<target>, logs in fuzz/logs/<target>.log. Built without a sanitizer (the crate
# forbids unsafe code) and with debug assertions, so an arithmetic overflow counts as a crash.
set -euo pipefail
cd "$(dirname "$0")"

seconds=${1:?usage: fuzz/run.sh SECONDS [TARGET...]}
shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(definition participants form multipart)
: "${CARGO_TARGET_DIR:=$PWD/target}"
export CARGO_TARGET_DIR
flags=(--sanitizer none --debug-assertions --target-dir "$CARGO_TARGET_DIR")

for target in "${targets[@]}"; do
  cargo +nightly fuzz build "${flags[@]}" "$target"
done
mkdir -p logs
status=0
printf '%-14s %12s %9s %8s %8s %s\n' target executions seconds exec/s corpus crashes
for target in "${targets[@]}"; do
  mkdir -p "corpus/$target" "artifacts/$target"
  log="logs/$target.log"
  before=$(find "artifacts/$target" -type f | wc -l)
  # -rss_limit_mb: a definition is at most 1 MiB; -max_len: the readers' inputs are small files.
  seeds=("seeds/$target")
  # The shipped surveys seed the definition reader from where they live, not as copies.
  [ "$target" = definition ] && seeds+=(../surveys)
  started=$(date +%s)
  if ! cargo +nightly fuzz run "${flags[@]}" "$target" "corpus/$target" "${seeds[@]}" -- \
      -max_total_time="$seconds" -print_final_stats=1 -max_len=65536 -timeout=10 \
      -rss_limit_mb=2048 > "$log" 2>&1; then
    status=1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -n 1 || true)
  [ -n "$runs" ] || runs=$(grep -oE '^#[0-9]+' "$log" | tail -n 1 | tr -d '#' || true)
  took=$(grep -oE 'Done [0-9]+ runs in [0-9]+ second' "$log" | grep -oE '[0-9]+ second' | grep -oE '[0-9]+' | tail -n 1 || true)
  # A run that stopped at a crash prints no "Done" line: its own wall time then.
  [ -n "$took" ] || took=$(( $(date +%s) - started ))
  corpus=$(find "corpus/$target" -type f | wc -l)
  crashes=$(( $(find "artifacts/$target" -type f | wc -l) - before ))
  rate=$(( ${runs:-0} / (took > 0 ? took : 1) ))
  printf '%-14s %12s %9s %8s %8s %s\n' "$target" "${runs:-?}" "$took" "$rate" "$corpus" "$crashes"
  if [ "$crashes" -gt 0 ]; then
    ls -t "artifacts/$target" | head -n 5 | sed "s|^|    artifacts/$target/|"
    grep -m 3 -E 'panicked at|ERROR: libFuzzer' "$log" | sed 's/^/    /' || true
  fi
done
exit $status
