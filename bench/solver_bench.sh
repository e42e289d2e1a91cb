#!/usr/bin/env bash
# solver_bench.sh [PLAN] - issue 3's solver benchmark, in one run:
#  1. in-process: planner_bench builds each scenario's integer program and
#     times hp_solver_glpk_solve (GLPK) over many runs, and exports the programs;
#  2. in-process reference: pulp_reference.py solves the same exported
#     programs with PuLP + CBC (gap 0) many times: PuLP's solve time and
#     CBC's own wall time from its log;
#  3. whole-process: `hetplan plan PLAN --format json` against
#     `python3 pulp_reference.py INSTANCE`, alternated, N runs each;
#  4. checks that every optimum agrees (relative 1e-9) and prints the
#     figures and the ratios against issue 3's target (>= 20x whole-process).
# PLAN defaults to bench/data/full-catalog.yaml. Environment:
#   HETPLAN_BUILD_DIR   build tree (default build/; built here if needed)
#   HETPLAN_BENCH_RUNS  whole-process runs of each side (default 11)
#   HETPLAN_BENCH_PULP_RUNS  in-process PuLP solves per scenario (default 20)
#   HETPLAN_BENCH_GLPK_MS    in-process GLPK time budget per scenario, ms
#                            (default 1000; at least 5 runs, at most 2000)
# Needs python3-pulp and coinor-cbc (HETPLAN_BENCH_DEPS=1
# scripts/install-deps.sh); uses /usr/bin/python3, the Debian python that
# sees python3-pulp. Exit status: 0, or 1 if the optima differ or a step
# failed. The speed target is reported, not enforced.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PLAN=${1:-bench/data/full-catalog.yaml}
BUILD=${HETPLAN_BUILD_DIR:-build}
RUNS=${HETPLAN_BENCH_RUNS:-11}
PULP_RUNS=${HETPLAN_BENCH_PULP_RUNS:-20}
GLPK_MS=${HETPLAN_BENCH_GLPK_MS:-1000}
PY=/usr/bin/python3
CBC=${HETPLAN_CBC:-/usr/bin/cbc}

if ! "$PY" -c 'import pulp' 2>/dev/null || [ ! -x "$CBC" ]; then
  echo "solver_bench: needs python3-pulp and coinor-cbc:" \
       "HETPLAN_BENCH_DEPS=1 bash scripts/install-deps.sh" >&2
  exit 1
fi
if [ ! -x "$BUILD/hetplan" ] || [ ! -x "$BUILD/bench/planner_bench" ]; then
  HETPLAN_BUILD_DIR=$BUILD bash scripts/build.sh
else
  cmake --build "$BUILD" --target hetplan planner_bench >/dev/null
fi
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
HP=$BUILD/hetplan
PB=$BUILD/bench/planner_bench
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

echo "solver_bench: $PLAN on $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
echo "  GLPK $(dpkg-query -W -f='${Version}' libglpk40 2>/dev/null || echo '?')," \
     "PuLP $("$PY" -c 'import pulp; print(pulp.__version__)')," \
     "CBC $("$CBC" -quit </dev/null 2>&1 | sed -n 's/^Version: //p' | head -1)"

echo
echo "== 1. in-process GLPK (hp_planner_build + hp_solver_glpk_solve), budget ${GLPK_MS} ms/scenario"
"$PB" solve "$PLAN" --catalog devices --export "$TMP/instance.json" \
  --budget-ms "$GLPK_MS" --min-runs 5 --max-runs 2000

echo
echo "== 2. in-process PuLP + CBC on the exported programs, $PULP_RUNS solves/scenario"
HETPLAN_CBC=$CBC "$PY" bench/pulp_reference.py "$TMP/instance.json" \
  --repeat "$PULP_RUNS" >"$TMP/pulp.json"
echo "   done"

echo
echo "== 3. whole process, alternated, $RUNS runs each"
"$HP" plan "$PLAN" --catalog devices --format json >"$TMP/hetplan.json"
"$PB" exec "$RUNS" -- "$HP" plan "$PLAN" --catalog devices --format json \
  -- env HETPLAN_CBC="$CBC" "$PY" bench/pulp_reference.py "$TMP/instance.json" \
  | tee "$TMP/exec.txt"

echo
echo "== 4. figures"
"$PY" - "$TMP/instance.json" "$TMP/pulp.json" "$TMP/hetplan.json" \
  "$TMP/exec.txt" <<'PY'
import json, sys
inst = json.load(open(sys.argv[1]))
ref = {s["name"]: s for s in json.load(open(sys.argv[2]))["scenarios"]}
cli = {s["name"]: s for s in json.load(open(sys.argv[3]))["scenarios"]}
wp = {}
for line in open(sys.argv[4]):
    f = line.split()
    wp[f[0]] = float(f[2])
REL = 1e-9
CLI_FIELD = {"capex": "capex_cny", "tco": "tco_cny",
             "max_tokens": "delivered_tokens_per_s"}

def same(a, b):
    return a is not None and b is not None and \
        abs(a - b) <= REL * max(1.0, abs(a), abs(b))

bad = 0
print("%-18s %-10s %20s %20s %9s %9s %9s %8s %7s" % (
    "scenario", "objective", "GLPK optimum", "CBC optimum", "GLPK ms",
    "PuLP ms", "CBC ms", "PuLP/GLPK", "same"))
for sc in inst["scenarios"]:
    name, g = sc["name"], sc["glpk"]
    r = ref[name]
    c = cli.get(name, {})
    go = g.get("objective")
    ro = r.get("objective")
    cli_obj = c.get(CLI_FIELD[sc["objective_kind"]]) if c.get("status") == "optimal" else None
    ok = (g["status"] == r["status"] and
          (g["status"] != "optimal" or (same(go, ro) and same(cli_obj, ro))))
    bad += not ok
    ratio = r["pulp_solve_ms_median"] / g["solve_ms_median"]
    cbc = r.get("cbc_wall_ms_median")
    print("%-18s %-10s %20.10g %20.10g %9.3f %9.1f %9s %7.1fx %7s" % (
        name, sc["objective_kind"], go if go is not None else float("nan"),
        ro if ro is not None else float("nan"), g["solve_ms_median"],
        r["pulp_solve_ms_median"], "%.0f" % cbc if cbc is not None else "-",
        ratio, "yes" if ok else "NO"))
    if not ok:
        diff = [(col["name"], a, b) for col, a, b in
                zip(sc["ip"]["cols"], g.get("x", []), r.get("x", [])) if a != b]
        print("   differs: GLPK %r, CBC %r (CBC log %r), hetplan CLI %r; "
              "columns GLPK vs CBC: %s" % (go, ro, r.get("cbc_objective"),
                                           cli_obj, diff))
print("   GLPK ms: median in-process hp_solver_glpk_solve; PuLP ms: median "
      "LpProblem.solve (MPS write, cbc process, solution read);")
print("   CBC ms: median of CBC's own 'Time (Wallclock seconds)', "
      "which CBC prints to 10 ms.")
hp, py = wp["A"], wp["B"]
print()
print("whole process (median of alternated runs): hetplan %.1f ms, "
      "PuLP + CBC %.1f ms: %.1fx (target >= 20x: %s)" % (
          hp, py, py / hp, "met" if py / hp >= 20 else "NOT met"))
print("optima: %s (relative tolerance %g)" % (
    "all equal" if not bad else "%d scenario(s) differ" % bad, REL))
sys.exit(1 if bad else 0)
PY
