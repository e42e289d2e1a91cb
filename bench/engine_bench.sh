#!/usr/bin/env bash
# engine_bench.sh [CLASSES...] - issue 23's solver comparison, in one run:
# bench/gen_roofline_plans.py writes roofline plans of 4, 16 and 64 request
# classes over 6, 14 and 28 SKUs of the shipped catalog; engine_bench
# builds each plan's program as the planner does and solves it with GLPK,
# CBC and auto, printing wall and CPU time, status, nodes, objective,
# bound and gap.
#   CLASSES             which class counts to run (default: 4 16 64)
# Environment:
#   HETPLAN_BUILD_DIR         build tree (default build/; built here if needed)
#   HETPLAN_BENCH_ENGINES     engines, comma-separated (default glpk,cbc,auto)
#   HETPLAN_BENCH_NODE_LIMIT  node limit for every solve (default: the
#                             plans' own, solver.node_limit 100,000)
#   HETPLAN_BENCH_SKUS        which SKU counts to run (default: 6, 14 and
#                             the whole catalog, as the generator wrote)
# The 64-class programs take minutes per engine on a 2-core host. Needs
# CBC in the build (coinor-libcbc-dev) for the cbc and auto rows.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BUILD=${HETPLAN_BUILD_DIR:-build}
ENGINES=${HETPLAN_BENCH_ENGINES:-glpk,cbc,auto}
CLASSES=${*:-4 16 64}
SKUS=${HETPLAN_BENCH_SKUS:-}
if [ ! -x "$BUILD/bench/engine_bench" ]; then
  HETPLAN_BUILD_DIR=$BUILD bash scripts/build.sh
else
  cmake --build "$BUILD" --target engine_bench >/dev/null
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
python3 bench/gen_roofline_plans.py "$TMP" >/dev/null
# The whole catalog's SKU count changes as cards are added: take the
# counts the generator wrote.
if [ -z "$SKUS" ]; then
  SKUS=$(ls "$TMP" | sed -n 's/^roofline-C4-S\([0-9]*\)\.yaml$/\1/p' | sort -n | tr '\n' ' ')
fi

echo "engine_bench: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)," \
     "$(date -u +%Y-%m-%dT%H:%MZ)"
echo "  GLPK $(dpkg-query -W -f='${Version}' libglpk40 2>/dev/null || echo '?')," \
     "CBC $(pkg-config --modversion cbc 2>/dev/null || echo 'not built')"
args=(--engines "$ENGINES")
if [ -n "${HETPLAN_BENCH_NODE_LIMIT:-}" ]; then
  args+=(--node-limit "$HETPLAN_BENCH_NODE_LIMIT")
fi
first=1
for c in $CLASSES; do
  for s in $SKUS; do
    plan=$TMP/roofline-C$c-S$s.yaml
    [ -f "$plan" ] || { echo "engine_bench: no plan for $c classes, $s SKUs" >&2; exit 1; }
    if [ $first = 1 ]; then
      "$BUILD/bench/engine_bench" "$plan" "${args[@]}"
      first=0
    else
      "$BUILD/bench/engine_bench" "$plan" "${args[@]}" | tail -n +2
    fi
  done
done
