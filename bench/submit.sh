#!/usr/bin/env bash
# Submit benchmark: complete fruehjahr-2020 questionnaires (every question answered) through distinct
# personal links, at concurrency 16 and 64, against the release build of `serve` with PostgreSQL on the
# same machine. Reports complete responses per second, request latency p50/p99, peak server memory, and
# in the same run the reference: pgbench executing the SQL of one submission (one response row, 30 answer
# rows, one token update) at the same concurrency. At concurrency 64 also: the first page via token.
# Usage: bench/submit.sh [RESPONSES]   (default 3000 per concurrency level; LEVELS="16" to pick; run from the project folder)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-3000}
cargo build --release --quiet --bin mint-survey --example submit_load
bin=$PWD/target/release/mint-survey
load=$PWD/target/release/examples/submit_load
work=$(mktemp -d /tmp/mint-submit-bench.XXXXXX)
chmod 755 "$work"
export VAR_DIR="$work/var" PUBLIC_URL="http://127.0.0.1:18099"
unset DATABASE_URL SMTP_URL
"$bin" survey load surveys/fruehjahr-2020.toml > /dev/null
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | tail -1)
psql_url="host=$VAR_DIR/postgres user=postgres dbname=mint_survey"

for c in ${LEVELS:-16 64}; do
  slug=$("$bin" wave create --survey fruehjahr-2020 --title "Bench $c" --closes 2099-12-31 2> /dev/null)
  "$bin" wave open "$slug" > /dev/null
  python3 - "$n" > "$work/p$c.csv" <<'PY'
import sys
laender = ["DE-BW","DE-BY","DE-BE","DE-BB","DE-HB","DE-HH","DE-HE","DE-MV","DE-NI","DE-NW","DE-RP","DE-SL","DE-SN","DE-ST","DE-SH","DE-TH"]
print("Region;Bundesland;E-Mail;Landesnetzwerk")
for i in range(int(sys.argv[1])):
    print(f"Bench-Region {i};{laender[i % 16]};r{i}@bench.example.org;ja")
PY
  "$bin" participants import --wave "$slug" "$work/p$c.csv" > /dev/null
  "$bin" participants links --wave "$slug" > "$work/links$c.csv"
  "$bin" serve --bind 127.0.0.1:18099 > "$work/serve$c.log" 2>&1 &
  server=$!
  until curl -sf http://127.0.0.1:18099/healthz > /dev/null; do sleep 0.1; done
  [ "$c" = 64 ] && "$load" "$work/links$c.csv" "$c" "$n" first-page | sed 's/^/  mint-survey /'
  # Half of the links page by page (8 requests each), the other half as one form (2 requests each).
  "$load" "$work/links$c.csv" "$c" "$((n / 2))" | sed 's/^/  mint-survey page by page: /'
  tail -n +$((n / 2 + 2)) "$work/links$c.csv" | sed '1i header' > "$work/rest$c.csv"
  "$load" "$work/rest$c.csv" "$c" "$((n / 2))" one-form | sed 's/^/  mint-survey one form: /'
  echo "  server peak memory: $(awk '/VmHWM/ {printf "%.1f MiB", $2/1024}' /proc/$server/status)"
  kill "$server"; wait "$server" 2> /dev/null || true

  # The reference: the statements of one submission, as one transaction each, at the same concurrency.
  cat > "$work/submit.sql" <<SQL
\set n random(1, 2000000000)
\set p random(0, $((n - 1)))
BEGIN;
INSERT INTO responses (wave_id, session_sha256, land_code, consented_at, submitted_at)
  VALUES ((SELECT id FROM waves WHERE slug = '$slug'), sha256((:n || '-' || :client_id || '-' || random())::bytea), 'DE-TH', now(), now())
  RETURNING id \gset r_
INSERT INTO answers (response_id, question_id, item_id, option_code, text_value)
  SELECT :r_id, 'q' || g, '', 'code', NULL FROM generate_series(1, 30) g;
UPDATE participants SET submitted_at = now() WHERE id = (SELECT min(id) FROM participants WHERE wave_id = (SELECT id FROM waves WHERE slug = '$slug')) + :p;
COMMIT;
SQL
  runas=(); [ "$(id -u)" = 0 ] && runas=(runuser -u postgres --)
  "${runas[@]}" "$pg_bin/pgbench" -n -c "$c" -j 2 -T 10 -f "$work/submit.sql" "$psql_url" 2> /dev/null \
    | awk -v c="$c" '/^tps/ {printf "  pgbench reference, concurrency %s: %.0f submission transactions/s\n", c, $3} /latency average/ {print "  pgbench " $0}'
done
"$bin" db stop > /dev/null
echo "scratch folder: $work (rm -rf it when done)"
