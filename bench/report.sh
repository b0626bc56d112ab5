#!/usr/bin/env bash
# Report benchmark: N submitted fruehjahr-2020 responses over the 16 Länder (skewed toward BY, NW, RP,
# TH and BW as in 2020, about 30 answer rows each), written straight into PostgreSQL, then the full
# `mint-survey report` (every file: HTML, PDF, charts, CSV in both dialects, Excel, ZIP) timed with its peak memory, and in
# the same run the bare aggregate SQL in psql (the floor).
# Usage: bench/report.sh [RESPONSES...]   (default: 100000; e.g. bench/report.sh 100000 1000000)
# With several sizes, each is a wave of its own, and the last wave's report with --trend over all of
# them is timed too (e.g. bench/report.sh 100000 100000 100000 100000: a trend over 4 waves).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-100000}")
cargo build --release --quiet --bin mint-survey
bin=$PWD/target/release/mint-survey
work=$(mktemp -d /tmp/mint-report-bench.XXXXXX)
chmod 755 "$work"
export VAR_DIR="$work/var"
unset DATABASE_URL
"$bin" survey load surveys/fruehjahr-2020.toml > /dev/null
runas=(); [ "$(id -u)" = 0 ] && runas=(runuser -u postgres --)
psql=("${runas[@]}" psql -X -q -v ON_ERROR_STOP=1 "host=$VAR_DIR/postgres user=postgres dbname=mint_survey")

slugs=()
for n in "${sizes[@]}"; do
  slug=$("$bin" wave create --survey fruehjahr-2020 --title "Bench $n ${#slugs[@]}" 2> /dev/null)
  slugs+=("$slug")
  started=$(date +%s.%N)
  "${psql[@]}" -v wave="'$slug'" -v n="$n" < bench/responses.sql
  rows=$("${psql[@]}" -At -c "SELECT count(*) FROM answers a JOIN responses r ON r.id = a.response_id JOIN waves w ON w.id = r.wave_id WHERE w.slug = '$slug'")
  printf '%s submitted responses, %s answer rows (generated in %.0f s)\n' "$n" "$rows" "$(echo "$(date +%s.%N) - $started" | bc)"

  # The floor: the bare aggregate in psql, per Land × question × item × option, warm cache (best of 3).
  floor=$(for _ in 1 2 3; do
    "${psql[@]}" -At <<SQL | awk '/^Time:/ {print $2}'
\timing on
\o /dev/null
SELECT r.land_code, a.question_id, a.item_id, a.option_code, count(*)
FROM answers a JOIN responses r ON r.id = a.response_id
WHERE r.wave_id = (SELECT id FROM waves WHERE slug = '$slug') AND r.submitted_at IS NOT NULL
GROUP BY 1, 2, 3, 4;
SQL
  done | sort -n | head -1)
  printf '  bare aggregate SQL in psql (floor): %.0f ms\n' "$floor"

  # The full report, best of 3, with its peak memory.
  best=""
  for _ in 1 2 3; do
    /usr/bin/time -f '%e %M' -o "$work/time" "$bin" report --wave "$slug" --out "$work/out-$n" > /dev/null
    read -r seconds kib < "$work/time"
    if [ -z "$best" ] || awk "BEGIN {exit !($seconds < $best)}"; then best=$seconds; peak=$kib; fi
  done
  files=$(find "$work/out-$n" -type f | wc -l)
  printf '  mint-survey report (all %s files): %.2f s, peak memory %.1f MiB, %.1f× the floor\n' \
    "$files" "$best" "$(echo "$peak / 1024" | bc -l)" "$(echo "$best * 1000 / $floor" | bc -l)"
done
if [ ${#slugs[@]} -ge 2 ]; then
  best=""
  for _ in 1 2 3; do
    /usr/bin/time -f '%e %M' -o "$work/time" "$bin" report --wave "$slug" --trend --out "$work/out-trend" > /dev/null
    read -r seconds kib < "$work/time"
    if [ -z "$best" ] || awk "BEGIN {exit !($seconds < $best)}"; then best=$seconds; peak=$kib; fi
  done
  printf 'trend over %s waves (report --trend of the last): %.2f s, peak memory %.1f MiB\n' \
    "${#slugs[@]}" "$best" "$(echo "$peak / 1024" | bc -l)"
fi
"$bin" db stop > /dev/null
echo "scratch folder: $work (rm -rf it when done)"
