#!/usr/bin/env bash
# doubao_sweep_bench.sh [BASE_HETPLAN [RUNS]] - issue 23's demand sweep:
#   hetplan sweep plans/doubao-roofline.yaml
#     --vary workload.tokens_per_day=1e12:5e12:4e10   (101 points)
# timed with this tree's build and, alternately in the same run, with
# BASE_HETPLAN (another build, e.g. the one at the start of the issue) on
# the same plan and catalog; prints each run's wall and CPU seconds, the
# medians, their ratio, and how many points are not proven optimal.
#   BASE_HETPLAN  default: none (this build alone)
#   RUNS          default: 3
# Environment: HETPLAN_BUILD_DIR (default build/), HETPLAN_BENCH_CATALOG
# (default devices/), HETPLAN_BENCH_BASE_CATALOG (the base build's; default
# the same: a base build that cannot read the current catalog needs one it
# can, e.g. `python3 bench/strip_catalog.py devices /tmp/oldcat`), and
# HETPLAN_BENCH_BASE_TREE: a checkout of the base build's own tree; the
# base then runs there, on that tree's plans/doubao-roofline.yaml and
# devices/ (each build on its own shipped plan: the sweep a user of each
# would run), e.g. HETPLAN_BENCH_BASE_TREE=/work/wt/base for 4c6385b.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BASE=${1:-}
[ -z "$BASE" ] || BASE=$(realpath "$BASE")
BASE_TREE=${HETPLAN_BENCH_BASE_TREE:-}
[ -z "$BASE_TREE" ] || BASE_TREE=$(cd "$BASE_TREE" && pwd)
cd "$ROOT"
BUILD=${HETPLAN_BUILD_DIR:-build}
RUNS=${2:-3}
CAT=${HETPLAN_BENCH_CATALOG:-devices}
BASE_CAT=${HETPLAN_BENCH_BASE_CATALOG:-$CAT}
if [ -n "$BASE_TREE" ]; then
  BASE_CAT=${HETPLAN_BENCH_BASE_CATALOG:-$BASE_TREE/devices}
fi
[ -x "$BUILD/hetplan" ] || HETPLAN_BUILD_DIR=$BUILD bash scripts/build.sh
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
ARGS=(sweep plans/doubao-roofline.yaml --vary
      workload.tokens_per_day=1e12:5e12:4e10 --format csv --quiet)
echo "doubao_sweep_bench: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)," \
     "$(date -u +%Y-%m-%dT%H:%MZ)"
run() { # NAME BIN I CATALOG [TREE]
  (cd "${5:-$ROOT}" &&
    /usr/bin/time -f "%e %U %S" -o "$TMP/$1.$3.t" "$2" "${ARGS[@]}" \
      --catalog "$4" -o "$TMP/$1.$3.csv" 2>/dev/null) || true
  read -r w u sy <"$TMP/$1.$3.t"
  u=$(awk -v a="$u" -v b="$sy" 'BEGIN{print a+b}')
  echo "$u" >>"$TMP/$1.cpu"
  np=$(grep -c 'not proven' "$TMP/$1.$3.csv" || true)
  printf '  %-5s run %d: %8.2f s wall %8.2f s cpu, %d points not proven\n' \
    "$1" "$3" "$w" "$u" "$np"
  echo "$w" >>"$TMP/$1.wall"
}
for i in $(seq 1 "$RUNS"); do
  run new "$BUILD/hetplan" "$i" "$CAT"
  [ -n "$BASE" ] && run base "$BASE" "$i" "$BASE_CAT" "$BASE_TREE"
done
med() { sort -g "$1" | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
mn=$(med "$TMP/new.wall") cn=$(med "$TMP/new.cpu")
echo "median: new $mn s wall, $cn s cpu"
if [ -n "$BASE" ]; then
  mb=$(med "$TMP/base.wall") cb=$(med "$TMP/base.cpu")
  echo "median: base $mb s wall, $cb s cpu; base / new = $(awk -v a="$mb" -v b="$mn" 'BEGIN{printf "%.2f", a/b}')x wall, $(awk -v a="$cb" -v b="$cn" 'BEGIN{printf "%.2f", a/b}')x cpu"
fi
