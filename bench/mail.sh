#!/usr/bin/env bash
# Mail benchmark: send N invitations through a real SMTP receiver on 127.0.0.1 with the release build,
# for N = 1,000 and 10,000 (memory must stay flat as the wave grows). Reports mails per second (whole
# `invite` run: queueing, rendering, SMTP, bookkeeping), peak memory of the sender, and the most SMTP
# connections the receiver saw open at once.
# Usage: bench/mail.sh [CONNECTIONS]   (default 32; run from the project folder; SIZES="1000" to pick sizes)
set -euo pipefail
cd "$(dirname "$0")/.."
connections=${1:-32}
cargo build --release --quiet --bin mint-survey --example smtp_sink
bin=target/release/mint-survey
sink=target/release/examples/smtp_sink
work=$(mktemp -d /tmp/mint-mail-bench.XXXXXX)
chmod 755 "$work"
export VAR_DIR="$work/var"
unset DATABASE_URL SMTP_URL MAIL_RATE
"$bin" survey load surveys/fruehjahr-2020.toml > /dev/null

for n in ${SIZES:-1000 10000}; do
  slug=$("$bin" wave create --survey fruehjahr-2020 --title "Bench $n" --closes 2099-12-31 2> /dev/null)
  "$bin" wave open "$slug" > /dev/null
  python3 - "$n" > "$work/p$n.csv" <<'PY'
import sys
n = int(sys.argv[1])
laender = ["DE-BW","DE-BY","DE-BE","DE-BB","DE-HB","DE-HH","DE-HE","DE-MV","DE-NI","DE-NW","DE-RP","DE-SL","DE-SN","DE-ST","DE-SH","DE-TH"]
print("Region;Bundesland;E-Mail;Ansprechperson;Landesnetzwerk")
for i in range(n):
    print(f"MINT-Region Bench {i};{laender[i % 16]};kontakt{i}@bench.example.org;Person Nummer {i};{'ja' if i % 3 else 'nein'}")
PY
  "$bin" participants import --wave "$slug" "$work/p$n.csv" > /dev/null
  "$sink" "$n" 600 > "$work/sink$n" &
  sink_pid=$!
  until grep -q '^port ' "$work/sink$n" 2> /dev/null; do sleep 0.05; done
  port=$(awk '/^port /{print $2}' "$work/sink$n")
  /usr/bin/time -f "%e %M %U %S" -o "$work/time$n" env SMTP_URL="smtp://127.0.0.1:$port" \
    "$bin" invite --yes --wave "$slug" --connections "$connections" > "$work/out$n" 2>&1
  wait "$sink_pid"
  sink_line=$(grep '^received' "$work/sink$n")
  read -r seconds kib user sys < "$work/time$n"; echo "        sender cpu: user ${user}s sys ${sys}s"
  python3 -c "
n, s, kib = $n, $seconds, $kib
print(f'{n:>6} invitations, {$connections} connections: {s:.2f} s, {n / s:.0f} mails/s, peak memory {kib / 1024:.1f} MiB')"
  echo "        receiver: $sink_line"
  grep -h "invitations:" "$work/out$n" | sed 's/^/        sender: /'
done
"$bin" db stop > /dev/null
echo "scratch folder: $work (rm -rf it when done)"
