#!/usr/bin/env bash
# Submit benchmark: complete fruehjahr-2020 questionnaires (every question answered) through distinct
# personal links, at concurrency 16 and 64, against the release build of `serve` with PostgreSQL on the
# same machine. Reports complete responses per second, request latency p50/p99 and peak server memory,
# for both ways of answering: page by page (GET, consent, every page, Absenden: 8 requests) and as one
# form (GET ?alle, one POST). At concurrency 64 also: the first page via token.
#
# In the same run, two references, each at the same concurrency:
#   1. the issue's reference: pgbench executing the SQL of one submission as plain statements (one
#      response row, 30 answer rows, one token update, one transaction);
#   2. the app's own SQL of one one-form response, without the app: the link look-up of the GET, the
#      one of the POST and the submit_response() call, for fresh participants;
#   3. the app's own SQL of one page-by-page response, without the app: the look-up, the consent's
#      insert and the six page saves (PostgreSQL's part of the page-by-page goal).
# Usage: bench/submit.sh [RESPONSES]   (page-by-page responses per level, default 2000; the one-form run
# and reference 2 use four times as many; LEVELS="16" to pick; run from the project folder)
# ROUNDS=N repeats page by page, one form and reference 1 N times per level, alternating (fresh links
# each round), and prints each round's ratios to reference 1 and their medians: on a shared machine the
# reference itself varies by a fifth from run to run.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-2000}
forms=$((4 * n))
rounds=${ROUNDS:-1}
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
runas=(); [ "$(id -u)" = 0 ] && runas=(runuser -u postgres --)
psql() { "${runas[@]}" "$pg_bin/psql" -qAt -v ON_ERROR_STOP=1 "$psql_url" "$@"; }
pgbench() {
  "${runas[@]}" "$pg_bin/pgbench" -n "$@" "$psql_url" > "$work/pgbench.out" 2> "$work/pgbench.err" \
    || { echo "pgbench failed:"; tail -5 "$work/pgbench.err"; return 1; }
  awk '/^tps/ {tps = $3} /latency average/ {lat = $4} END {printf "%.0f transactions/s, latency average %s ms", tps, lat}' "$work/pgbench.out"
}

for c in ${LEVELS:-16 64}; do
  slug=$("$bin" wave create --survey fruehjahr-2020 --title "Bench $c" --closes 2099-12-31 2> /dev/null)
  "$bin" wave open "$slug" > /dev/null
  python3 - "$(((n + forms) * rounds))" > "$work/p$c.csv" <<'PY'
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
  [ "$c" = 64 ] && "$load" "$work/links$c.csv" "$c" "$forms" first-page | sed 's/^/  mint-survey /'

  # Reference 1, the issue's: the statements of one submission, one transaction each.
  cat > "$work/plain.sql" <<SQL
\set n random(1, 2000000000)
\set p random(0, $(((n + forms) * rounds - 1)))
BEGIN;
INSERT INTO responses (wave_id, session_sha256, land_code, consented_at, submitted_at)
  VALUES ((SELECT id FROM waves WHERE slug = '$slug'), sha256((:n || '-' || :client_id || '-' || random())::bytea), 'DE-TH', now(), now())
  RETURNING id \gset r_
INSERT INTO answers (response_id, question_id, item_id, option_code, text_value)
  SELECT :r_id, 'q' || g, '', 'code', NULL FROM generate_series(1, 30) g;
UPDATE participants SET submitted_at = now() WHERE id = (SELECT min(id) FROM participants WHERE wave_id = (SELECT id FROM waves WHERE slug = '$slug')) + :p;
COMMIT;
SQL
  rate() { sed -E 's/.* = ([0-9]+) (responses|transactions)\/s.*/\1/; s/^([0-9]+) transactions\/s.*/\1/' <<< "$1"; }
  : > "$work/ratios$c"
  for r in $(seq 1 "$rounds"); do
    # This round's links: the next n page by page, then the next four times n as one form.
    from=$(((r - 1) * (n + forms) + 2))
    sed -n "1p;${from},$((from + n - 1))p" "$work/links$c.csv" > "$work/paged$c.csv"
    sed -n "1p;$((from + n)),$((from + n + forms - 1))p" "$work/links$c.csv" > "$work/forms$c.csv"
    [ "$rounds" -gt 1 ] && echo "  round $r:"
    paged=$("$load" "$work/paged$c.csv" "$c" "$n")
    echo "  mint-survey page by page: $paged"
    form=$("$load" "$work/forms$c.csv" "$c" "$forms" one-form)
    echo "  mint-survey one form: $form"
    reference=$(pgbench -c "$c" -j 2 -T 10 -f "$work/plain.sql")
    echo "  reference 1, pgbench, the submission's plain statements: $reference"
    ratios=$(awk -v p="$(rate "$paged")" -v f="$(rate "$form")" -v t="$(rate "$reference")" \
      'BEGIN {printf "%.1f %.1f", 100 * p / t, 100 * f / t}')
    echo "$ratios" >> "$work/ratios$c"
    read -r by_page by_form <<< "$ratios"
    echo "  of reference 1: page by page ${by_page} %, one form ${by_form} %"
  done
  if [ "$rounds" -gt 1 ]; then
    median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
    echo "  median of $rounds rounds, of reference 1: page by page $(cut -d' ' -f1 "$work/ratios$c" | median) %, one form $(cut -d' ' -f2 "$work/ratios$c" | median) %"
  fi
  echo "  server peak memory: $(awk '/VmHWM/ {printf "%.1f MiB", $2/1024}' /proc/$server/status)"
  kill "$server"; wait "$server" 2> /dev/null || true

  # Reference 2: what the app's one-form response asks of PostgreSQL, for the one-form participants
  # again (their responses deleted first): the link look-up twice (GET and POST; the first also takes
  # the next participant from a sequence), then submit_response() with 27 answers, as the app sends.
  psql -c "DELETE FROM responses WHERE participant_id IN (SELECT id FROM participants WHERE wave_id = (SELECT id FROM waves WHERE slug = '$slug'))" \
    -c "UPDATE participants SET submitted_at = NULL WHERE wave_id = (SELECT id FROM waves WHERE slug = '$slug')" \
    -c "VACUUM ANALYZE responses, answers, participants" \
        -c "CREATE SEQUENCE bench_next_$c START $(psql -c "SELECT min(id) + $n FROM participants WHERE wave_id = (SELECT id FROM waves WHERE slug = '$slug')")"
  cat > "$work/app.sql" <<SQL
SELECT p.id AS pid, p.wave_id AS wid FROM participants p JOIN waves w ON w.id = p.wave_id JOIN regions g ON g.id = p.region_id
  LEFT JOIN responses r ON r.participant_id = p.id WHERE p.id = (SELECT nextval('bench_next_$c')) \gset
SELECT p.*, w.*, g.name, r.* FROM participants p JOIN waves w ON w.id = p.wave_id JOIN regions g ON g.id = p.region_id
  LEFT JOIN responses r ON r.participant_id = p.id WHERE p.id = :pid;
SELECT submit_response(:wid, :pid, 'DE-TH', '{"landesnetzwerk": "ja"}', now(),
  ARRAY(SELECT 'q' || g FROM generate_series(1, 27) g), array_fill(''::text, ARRAY[27]),
  array_fill('code'::text, ARRAY[27]), array_fill(NULL::text, ARRAY[27]),
  array_fill(NULL::text, ARRAY[27]), array_fill(NULL::date, ARRAY[27]));
SQL
  echo "  reference 2, pgbench, the app's statements of a one-form response: $(pgbench -M prepared -c "$c" -j 2 -t $((forms / c)) -f "$work/app.sql")"

  # Reference 3: what the app's page-by-page response asks of PostgreSQL, for the first round's
  # page-by-page participants (their responses were deleted above): the GET's link look-up with
  # the answers, the consent's insert, and six save_page() calls with the answers the load
  # generator sends (the last one submits), each its own transaction, as the app sends them. With
  # reference 1 of the same run it tells what share of the page-by-page goal PostgreSQL alone takes.
  psql -c "CREATE SEQUENCE bench_paged_$c START $(psql -c "SELECT min(id) FROM participants WHERE wave_id = (SELECT id FROM waves WHERE slug = '$slug')")"
  save() { # page, questions, items, options, texts, submit, quick
    local nulls; nulls="{$(sed 's/[^,]*/NULL/g' <<< "${2:1:-1}")}"
    echo "SELECT save_page(:rid, '{}', $1, NULL, '$2', '$3', '$4', '$nulls', '${5:-$nulls}', '$nulls', :u::timestamptz, '$6', '$7', :tok::bytea) AS u \\gset"
  }
  text='"Eine Antwort, wie sie vorkommt: ein oder zwei Sätze."'
  {
    echo "SELECT id AS pid, token_sha256 AS tok FROM participants WHERE id = (SELECT nextval('bench_paged_$c')) \\gset"
    echo "SELECT p.*, w.*, g.name, r.*, CASE WHEN r.reopened_at IS NULL THEN (SELECT json_agg(json_build_array(question_id, item_id, option_code, number::text, text_value, date_value) ORDER BY question_id, item_id, option_code)::text FROM answers WHERE response_id = r.id) END"
    echo "  FROM participants p JOIN waves w ON w.id = p.wave_id JOIN regions g ON g.id = p.region_id LEFT JOIN responses r ON r.participant_id = p.id WHERE p.token_sha256 = :tok::bytea;"
    echo "INSERT INTO responses (wave_id, participant_id, land_code, attributes, consented_at, current_page)"
    echo "  SELECT wave_id, id, land_code, attributes, now(), 0 FROM participants WHERE id = :pid AND link_takes_answers(:pid, :tok::bytea)"
    echo "  ON CONFLICT (participant_id) DO NOTHING RETURNING id AS rid, updated_at AS u \\gset"
    save 1 '{lage_gesamt,existenz_bedroht,arbeitssituation_koordination}' '{"","",""}' '{sehr_gut,nein,homeoffice}' '' f t
    save 2 '{veraenderungen_netzwerkarbeit,digitale_werkzeuge,zielgruppe_erreicht,angebote_ausfall,angebote_ausfall,angebote_ausfall,angebote_ausfall,angebote_ausfall,angebote_ausfall}' \
      '{"","","",kita,schulen,ausserschulische_lernorte,berufsorientierung,wettbewerbe,lehrkraeftefortbildung}' \
      '{treffen_online,videokonferenz,sehr_gut,nicht_betroffen,nicht_betroffen,nicht_betroffen,nicht_betroffen,nicht_betroffen,nicht_betroffen}' '' f t
    save 3 '{entwicklung_6_monate,entwicklung_6_monate,entwicklung_6_monate,entwicklung_6_monate,entwicklung_6_monate,ausblick_persoenlich,chancen_krise}' \
      '{engagement_finanziell,engagement_operativ,foerderung_oeffentlich,beteiligung_schulen,nachfrage_angebote,"",""}' \
      '{deutlich_weniger,deutlich_weniger,deutlich_weniger,deutlich_weniger,deutlich_weniger,sehr_optimistisch,""}' \
      "{NULL,NULL,NULL,NULL,NULL,NULL,$text}" f t
    save 4 '{unterstuetzung_gewuenscht}' '{""}' '{austausch_regionen}' '' f t
    save 5 '{landesnetzwerk_angebote,landesnetzwerk_angebote,landesnetzwerk_angebote,landesnetzwerk_angebote,landesnetzwerk_angebote,landesnetzwerk_angebote}' \
      '{beratung,hotline,lernplattform,austausch_online,informationen,materialien}' '{genutzt,genutzt,genutzt,genutzt,genutzt,genutzt}' '' f t
    save 5 '{anmerkungen}' '{""}' '{""}' "{$text}" t f
  } > "$work/pages.sql"
  paged_sql=$(pgbench -M prepared -c "$c" -j 2 -t $((n / c)) -f "$work/pages.sql")
  echo "  reference 3, pgbench, the app's statements of a page-by-page response: $paged_sql" \
    "= $(awk -v p="$(rate "$paged_sql")" -v t="$(rate "$reference")" 'BEGIN {printf "%.1f", 100 * p / t}') % of the last reference 1"
done
"$bin" db stop > /dev/null
echo "scratch folder: $work (rm -rf it when done)"
