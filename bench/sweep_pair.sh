#!/usr/bin/env bash
# sweep_pair.sh OLD_HETPLAN [RUNS] - issue 18/23's speed point, like with
# like: whatif_bench.sh's sweep (constraints.domestic_share.min over the
# full catalog with the mix plan's caps) run by this build and by
# OLD_HETPLAN alternately, RUNS times each (default 3), on the same cards.
# An older build refuses today's device files (keys it does not know), so
# it reads a copy without them (bench/strip_catalog.py): same cards, prices
# and throughputs. Prints each run's CPU (user + sys) and wall seconds, the
# median and range of each side, the ratio of the CPU medians (new / old;
# the target is <= 1.05), and the rows whose status or capex differ.
# Environment:
#   HETPLAN_BUILD_DIR  this build (default build/)
#   POINTS             the sweep's range (default 0:1:0.0001, 10,001 points)
#   NEW_CATALOG        this build's catalog (default devices)
#   OLD_CATALOG        the old build's (default: strip_catalog.py of NEW_CATALOG)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
OLD=${1:?usage: sweep_pair.sh OLD_HETPLAN [RUNS]}
RUNS=${2:-3}
BUILD=${HETPLAN_BUILD_DIR:-build}
NEW=$BUILD/hetplan
POINTS=${POINTS:-0:1:0.0001}
NEW_CATALOG=${NEW_CATALOG:-devices}
[ -x "$NEW" ] || { echo "sweep_pair: $NEW not built (bash scripts/build.sh)"; exit 2; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
OLD_CATALOG=${OLD_CATALOG:-}
if [ -z "$OLD_CATALOG" ]; then
  OLD_CATALOG=$TMP/old-catalog
  /usr/bin/python3 bench/strip_catalog.py "$NEW_CATALOG" "$OLD_CATALOG" >/dev/null
fi
# The plan of whatif_bench.sh, word for word (the $ in the pattern is
# literal text).
# shellcheck disable=SC2016
sed -n '/^cat > "\$TMP\/full-catalog-sweep.yaml" <<.PLAN.$/,/^PLAN$/p' \
  bench/whatif_bench.sh | sed '1d;$d' >"$TMP/sweep.yaml"
grep -q '^name: full-catalog-sweep' "$TMP/sweep.yaml" ||
  { echo "sweep_pair: plan not found in whatif_bench.sh"; exit 1; }
echo "sweep_pair: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)," \
     "$(date -u +%Y-%m-%dT%H:%MZ), points $POINTS"
echo "  new: $NEW ($("$NEW" --version)), catalog $NEW_CATALOG"
echo "  old: $OLD ($("$OLD" --version 2>&1 | head -1)), catalog $OLD_CATALOG"
run() { # SIDE BIN CATALOG I
  /usr/bin/time -f "%U %S %e" -o "$TMP/$1.$4.t" "$2" sweep "$TMP/sweep.yaml" \
    --catalog "$3" --vary "constraints.domestic_share.min=$POINTS" \
    --format csv >"$TMP/$1.csv" 2>"$TMP/$1.err" ||
    { echo "sweep_pair: $1 failed"; tail -3 "$TMP/$1.err"; exit 1; }
  read -r u s w <"$TMP/$1.$4.t"
  awk -v u="$u" -v s="$s" '{}END{printf "%.2f\n", u + s}' /dev/null >>"$TMP/$1.cpu"
  echo "$w" >>"$TMP/$1.wall"
  printf '  %-3s run %d: cpu %6.2f s, wall %6.2f s\n' "$1" "$4" \
    "$(tail -1 "$TMP/$1.cpu")" "$w"
}
for i in $(seq 1 "$RUNS"); do
  run new "$NEW" "$NEW_CATALOG" "$i"
  run old "$OLD" "$OLD_CATALOG" "$i"
done
stat() { sort -g "$1" | awk '{a[NR]=$1} END{printf "%s %s %s", a[int((NR+1)/2)], a[1], a[NR]}'; }
read -r nm nlo nhi <<<"$(stat "$TMP/new.cpu")"
read -r om olo ohi <<<"$(stat "$TMP/old.cpu")"
read -r nw nwlo nwhi <<<"$(stat "$TMP/new.wall")"
read -r ow owlo owhi <<<"$(stat "$TMP/old.wall")"
echo "cpu  median (range): new $nm s ($nlo-$nhi), old $om s ($olo-$ohi)"
echo "wall median (range): new $nw s ($nwlo-$nwhi), old $ow s ($owlo-$owhi)"
awk -v a="$nm" -v b="$om" 'BEGIN{printf "cpu ratio new / old: %.3f (target <= 1.05: %s)\n", a / b, a / b <= 1.05 ? "met" : "NOT met"}'
# Status (column 3) and capex (column 4) row by row; the vendor columns
# differ between builds (which vendors a table lists), these do not.
paste -d'|' <(cut -d, -f1,3,4 "$TMP/new.csv") <(cut -d, -f1,3,4 "$TMP/old.csv") |
  awk -F'|' 'NR > 1 && $1 != $2 { n++; if (n <= 5) print "  differs: new " $1 "  old " $2 }
             END { printf "rows whose status or capex differ: %d of %d\n", n, NR - 1 }'
