#!/usr/bin/env bash
# API benchmark: a wave of N submitted responses (default 100,000; bench/responses.sql, as
# bench/report.sh), then in the same run:
#   reference: `mint-survey report` of the wave (every file, the same figures), best of 3;
#   1. the first call of GET /api/v1/waves/W/results on a freshly started `serve` (nothing cached:
#      the report is aggregated and suppressed for it), best of 3, `serve` restarted each time;
#   2. repeated calls with `If-None-Match` (a website polling its results), answered 304, at
#      concurrency 16 (examples/submit_load.rs in its `api` mode), with the server's peak memory.
# Usage: bench/api.sh [RESPONSES] [REQUESTS]   (defaults 100000 and 100000)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-100000}
requests=${2:-100000}
cargo build --release --quiet --bin mint-survey --example submit_load
bin=$PWD/target/release/mint-survey
load=$PWD/target/release/examples/submit_load
work=$(mktemp -d /tmp/mint-api-bench.XXXXXX)
chmod 755 "$work"
export VAR_DIR="$work/var" PUBLIC_URL="http://127.0.0.1:18098" API_RATE_LIMIT=1000000
unset DATABASE_URL SMTP_URL
"$bin" survey load surveys/fruehjahr-2020.toml > /dev/null
runas=(); [ "$(id -u)" = 0 ] && runas=(runuser -u postgres --)
psql=("${runas[@]}" psql -X -q -v ON_ERROR_STOP=1 "host=$VAR_DIR/postgres user=postgres dbname=mint_survey")
slug=$("$bin" wave create --survey fruehjahr-2020 --title "Bench API" 2> /dev/null)
"${psql[@]}" -v wave="'$slug'" -v n="$n" < bench/responses.sql
echo "$n submitted responses in wave $slug"
"$bin" user add --email website@bench.example.org --role board > /dev/null 2>&1
key=$("$bin" user api-key create --email website@bench.example.org --name Website | grep -o 'mint_[0-9a-f]*')
url="$PUBLIC_URL/api/v1/waves/$slug/results"

best() { sort -n | head -1; }
reference=$(for _ in 1 2 3; do
  /usr/bin/time -f '%e' -o "$work/time" "$bin" report --wave "$slug" --out "$work/report" > /dev/null
  cat "$work/time"
done | best)
printf '  reference, mint-survey report of the wave (all files): %.2f s\n' "$reference"

serve() {
  "$bin" serve --bind 127.0.0.1:18098 > "$work/serve.log" 2>&1 &
  server=$!
  until curl -sf "$PUBLIC_URL/healthz" > /dev/null; do sleep 0.1; done
}
first=$(for _ in 1 2 3; do
  serve
  curl -s -o "$work/results.json" -w '%{time_total}\n' -H "Authorization: Bearer $key" "$url"
  kill "$server"; wait "$server" 2> /dev/null || true
done | best)
printf '  1. first call of the API results (fresh serve): %.2f s = %.2f× the report (%s KiB of JSON)\n' \
  "$first" "$(echo "$first / $reference" | bc -l)" "$(( $(stat -c %s "$work/results.json") / 1024 ))"

serve
etag=$(curl -s -D - -o /dev/null -H "Authorization: Bearer $key" "$url" | awk 'tolower($1) == "etag:" {print $2}' | tr -d '\r')
"$load" api "$url" 16 "$requests" "$key" "$etag" | sed 's/^/  2. /'
echo "  server peak memory: $(awk '/VmHWM/ {printf "%.1f MiB", $2/1024}' /proc/$server/status)"
kill "$server"; wait "$server" 2> /dev/null || true
"$bin" db stop > /dev/null
echo "scratch folder: $work (rm -rf it when done)"
