#!/usr/bin/env bash
# Peak memory of what-if runs that grow with their rows (issue 18), as GNU
# time's maximum resident set size (%M, KB):
#  1. a 100,001-point sweep of workload.tokens_per_day over the Doubao
#     end-2024 mix (14 cards, 10 vendors) written as CSV to a file (-o);
#  2. a 100,000-sample Monte Carlo of plans/doubao-montecarlo.yaml.
# Targets: 16 MB each. Each is run once per binary; a second binary (the
# build to compare with) is run on the same commands with its own catalog
# (BIN/../../devices), and the two CSV outputs are compared byte for byte.
# usage: bench/whatif_mem.sh [HETPLAN] [BASELINE_HETPLAN] [THREADS]
set -euo pipefail
cd "$(dirname "$0")/.."
HP=${1:-build/hetplan}
BASE=${2:-}
THREADS=${3:-2}
POINTS=${POINTS:-100001}
SAMPLES=${SAMPLES:-100000}
TARGET_MB=16
TIME=${TIME:-/usr/bin/time}
[ -x "$HP" ] || { echo "whatif_mem: $HP not built (bash scripts/build.sh)"; exit 2; }
[ -x "$TIME" ] || { echo "whatif_mem: $TIME missing (apt-get install time)"; exit 2; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# The mix plan's cards and caps; demand is what the sweep varies.
sed -n '/^name:/,/^scenarios:/p' plans/doubao-montecarlo.yaml |
  sed 's/^name: .*/name: mem-sweep/; /^description:/d' > "$TMP/sweep.yaml"
echo "  - name: end-2024" >> "$TMP/sweep.yaml"
step=$(awk -v n="$POINTS" 'BEGIN { printf "%.17g", 4e12 / (n - 1) }')

# mem NAME BIN ARGS...: prints the peak RSS in MB.
mem() {
  local name=$1 bin=$2; shift 2
  "$TIME" -f %M -o "$TMP/$name.kb" "$bin" "$@" 2> "$TMP/$name.err" || {
    echo "whatif_mem: $name failed" >&2; tail -3 "$TMP/$name.err" >&2; exit 1; }
  awk '{ printf "%.1f", $1 / 1024 }' "$TMP/$name.kb"
}

echo "whatif_mem: $(nproc) CPUs, $("$HP" --version), --threads $THREADS"
for which in new ${BASE:+base}; do
  bin=$HP; [ "$which" = base ] && bin=$BASE
  cat=$(cd "$(dirname "$bin")/.." && pwd)/devices
  s=$(mem "sweep-$which" "$bin" sweep "$TMP/sweep.yaml" --catalog "$cat" \
        --vary "workload.tokens_per_day=4e12:8e12:$step" --format csv \
        --threads "$THREADS" -o "$TMP/sweep-$which.csv")
  rows=$(($(wc -l < "$TMP/sweep-$which.csv") - 1))
  m=$(mem "mc-$which" "$bin" montecarlo plans/doubao-montecarlo.yaml \
        --catalog "$cat" --samples "$SAMPLES" --seed 42 --format csv \
        --threads "$THREADS" -o "$TMP/mc-$which.csv")
  awk -v w="$which" -v s="$s" -v m="$m" -v r="$rows" -v n="$SAMPLES" -v t="$TARGET_MB" 'BEGIN {
    printf "%-4s sweep %d rows as CSV: max RSS %6.1f MB (target %d MB, ratio %.2f)\n", w, r, s, t, s / t
    printf "%-4s montecarlo %d samples:  max RSS %6.1f MB (target %d MB, ratio %.2f)\n", w, n, m, t, m / t }'
done
if [ -n "$BASE" ]; then
  cmp -s "$TMP/sweep-new.csv" "$TMP/sweep-base.csv" && echo "sweep CSV: byte-identical" || echo "sweep CSV: DIFFERS"
  cmp -s "$TMP/mc-new.csv" "$TMP/mc-base.csv" && echo "montecarlo CSV: byte-identical" || echo "montecarlo CSV: DIFFERS"
fi
