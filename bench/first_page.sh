#!/usr/bin/env bash
# First page via personal link at concurrency 64: this build against another one (e.g. a build from
# before a change), in the same run, rounds alternating between the two. Each round sends 4,000
# requests to links never opened before (a first visit, which the progress records) and then the
# same 4,000 again (a later view, which only reads). Both builds run their own private cluster with
# the same data; only one is loaded at a time.
#
# Usage: bench/first_page.sh OTHER_BINARY [ROUNDS]   (default 3 rounds; run from the project folder)
# OTHER_BINARY: a release build of mint-survey, e.g. made in a worktree of an older commit with
#   git worktree add /tmp/old REV && (cd /tmp/old && cargo build --release --bin mint-survey)
# OTHER_SURVEY: the definition the other build loads (default: surveys/fruehjahr-2020.toml of this tree;
#   give the older tree's copy where the format grew since, e.g. /tmp/old/surveys/fruehjahr-2020.toml)
set -euo pipefail
cd "$(dirname "$0")/.."
other=$(realpath "${1:?usage: bench/first_page.sh OTHER_BINARY [ROUNDS]}")
rounds=${2:-3}
per_round=4000
cargo build --release --quiet --bin mint-survey --example submit_load
this=$PWD/target/release/mint-survey
load=$PWD/target/release/examples/submit_load
work=$(mktemp -d /tmp/mint-first-page.XXXXXX)
chmod 755 "$work"
unset DATABASE_URL SMTP_URL
n=$((rounds * per_round))
python3 - "$n" > "$work/participants.csv" <<'PY'
import sys
laender = ["DE-BW","DE-BY","DE-BE","DE-BB","DE-HB","DE-HH","DE-HE","DE-MV","DE-NI","DE-NW","DE-RP","DE-SL","DE-SN","DE-ST","DE-SH","DE-TH"]
print("Region;Bundesland;E-Mail;Landesnetzwerk")
for i in range(int(sys.argv[1])):
    print(f"Bench-Region {i};{laender[i % 16]};r{i}@bench.example.org;ja")
PY

# Prepares a build's cluster and wave, starts its server on `port`; prints the server's pid.
prepare() {
  local name=$1 bin=$2 port=$3 survey=$4
  export VAR_DIR="$work/$name/var" PUBLIC_URL="http://127.0.0.1:$port"
  "$bin" survey load "$survey" > /dev/null
  local slug
  slug=$("$bin" wave create --survey fruehjahr-2020 --title "Bench" --closes 2099-12-31 2> /dev/null)
  "$bin" wave open "$slug" > /dev/null
  "$bin" participants import --wave "$slug" "$work/participants.csv" > /dev/null
  "$bin" participants links --wave "$slug" > "$work/$name-links.csv"
  for r in $(seq 1 "$rounds"); do
    tail -n +2 "$work/$name-links.csv" | sed -n "$(((r - 1) * per_round + 1)),$((r * per_round))p" \
      | sed '1i header' > "$work/$name-round$r.csv"
  done
  "$bin" serve --bind "127.0.0.1:$port" > "$work/$name-serve.log" 2>&1 &
  echo $! > "$work/$name.pid"
  until curl -sf "http://127.0.0.1:$port/healthz" > /dev/null; do sleep 0.1; done
}

prepare this "$this" 18101 surveys/fruehjahr-2020.toml
prepare other "$other" 18102 "${OTHER_SURVEY:-surveys/fruehjahr-2020.toml}"
for r in $(seq 1 "$rounds"); do
  for name in this other; do
    label=$([ "$name" = this ] && echo "this build " || echo "other build")
    echo "round $r, $label, first visits: $("$load" "$work/$name-round$r.csv" 64 "$per_round" first-page)"
    echo "round $r, $label, later views:  $("$load" "$work/$name-round$r.csv" 64 "$per_round" first-page)"
  done
done
for name in this other; do
  kill "$(cat "$work/$name.pid")"
  VAR_DIR="$work/$name/var" "$([ "$name" = this ] && echo "$this" || echo "$other")" db stop > /dev/null
done
echo "scratch folder: $work (rm -rf it when done)"
