#!/usr/bin/env bash
# Import benchmark: participants files of 1,000, 10,000 and 100,000 rows as German offices write them
# (semicolons, Land names with umlauts, a declared attribute), every row a region of its own, imported
# with the release build by `participants import`: first into a fresh wave (all regions new), then the
# same file into a second wave (the regions now exist), then into that wave once more (everything
# already there: nothing is added). Prints the wall time of each whole command (start, read, check,
# store, commit) with its peak memory, and the 100k/10k ratio of each pass.
# Goals (issue 12): 100,000 rows under 10 s; 100k/10k ratio under 12 (linear, not quadratic).
# Usage: bench/import.sh [ROWS...]   (default: 1000 10000 100000; run from the project folder)
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || set -- 1000 10000 100000
cargo build --release --quiet --bin mint-survey
bin=${CARGO_TARGET_DIR:-$PWD/target}/release/mint-survey
[[ $bin = /* ]] || bin=$PWD/$bin
work=$(mktemp -d /tmp/mint-import-bench.XXXXXX)
chmod 755 "$work"
export VAR_DIR="$work/var"
unset DATABASE_URL
"$bin" survey load surveys/fruehjahr-2020.toml > /dev/null

# Runs `participants import` of file $2 into wave $1; prints "seconds peak-MiB" and checks the
# summary line against $3 (a fragment the output must contain).
import() {
  /usr/bin/time -f '%e %M' -o "$work/time" "$bin" participants import --wave "$1" "$2" > "$work/out" 2>&1
  grep -q -- "$3" "$work/out" || { echo "unexpected output of importing $2 into $1:" >&2; cat "$work/out" >&2; exit 1; }
  read -r seconds kib < "$work/time"
  echo "$seconds $((kib / 1024))"
}

printf '%8s %10s   %-22s %-22s %-22s\n' rows file 'new wave, new regions' 'new wave, regions exist' 'same wave again'
declare -A first second
for n in "$@"; do
  python3 - "$n" > "$work/p$n.csv" <<'PY'
import sys
n = int(sys.argv[1])
laender = ["Baden-Württemberg", "Bayern", "Berlin", "Brandenburg", "Bremen", "Hamburg", "Hessen",
           "Mecklenburg-Vorpommern", "Niedersachsen", "Nordrhein-Westfalen", "Rheinland-Pfalz", "Saarland",
           "Sachsen", "Sachsen-Anhalt", "Schleswig-Holstein", "Thüringen"]
print("MINT-Region;Bundesland;E-Mail;Ansprechperson;Landesnetzwerk")
for i in range(n):
    print(f"MINT-Region Süd {n}-{i};{laender[i % 16]};k{i}@b{n}.example.org;Person {i};{'ja' if i % 3 else 'nein'}")
PY
  size=$(du -k "$work/p$n.csv" | cut -f1)
  a=$("$bin" wave create --survey fruehjahr-2020 --title "Import $n A" 2> /dev/null)
  b=$("$bin" wave create --survey fruehjahr-2020 --title "Import $n B" 2> /dev/null)
  read -r t1 m1 < <(import "$a" "$work/p$n.csv" "Imported $n participants .* ($n new regions)")
  read -r t2 m2 < <(import "$b" "$work/p$n.csv" "Imported $n participants .* (0 new regions)")
  read -r t3 m3 < <(import "$b" "$work/p$n.csv" "Imported 0 participants .* $n were already")
  first[$n]=$t1; second[$n]=$t2
  printf '%8s %7s KiB   %-22s %-22s %-22s\n' "$n" "$size" "$t1 s ($m1 MiB)" "$t2 s ($m2 MiB)" "$t3 s ($m3 MiB)"
done
if [ -n "${first[100000]:-}" ] && [ -n "${first[10000]:-}" ]; then
  printf '100k/10k ratio: %.1f (new regions), %.1f (regions exist)\n' \
    "$(echo "${first[100000]} / ${first[10000]}" | bc -l)" "$(echo "${second[100000]} / ${second[10000]}" | bc -l)"
fi
"$bin" db stop > /dev/null
echo "scratch folder: $work (rm -rf it when done)"
