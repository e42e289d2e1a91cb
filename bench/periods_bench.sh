#!/usr/bin/env bash
# periods_bench.sh [PLAN] - issue 22's benchmark of the multi-period program:
#  1. in process: periods_bench solves each scenario's composed program
#     (hp_periods_solve, no myopic plan) RUNS times: size, nodes, min and
#     median ms, proven or not;
#  2. whole process: `hetplan plan PLAN --format json` (which also plans
#     period by period, the myopic plan) against
#     `/usr/bin/python3 bench/periods_reference.py PLAN` (an independent
#     PuLP + CBC model of the same plan file), alternated, RUNS each: wall
#     and CPU seconds (user + sys, children included) and peak memory (max
#     RSS) from GNU time;
#  3. checks that both report the same optimum (relative 1e-9) and proven
#     optimality, and prints the ratios against the target (>= 10x whole
#     process).
# PLAN defaults to bench/periods_plan.yaml (8 quarters, full catalog).
# Environment: HETPLAN_BUILD_DIR (default build/), HETPLAN_BENCH_RUNS
# (default 5). Needs python3-pulp, python3-yaml and coinor-cbc
# (HETPLAN_BENCH_DEPS=1 scripts/install-deps.sh) and GNU time
# (/usr/bin/time). Exit status 0, or 1 if the optima differ or a step
# failed; the speed target is reported, not enforced.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PLAN=${1:-bench/periods_plan.yaml}
BUILD=${HETPLAN_BUILD_DIR:-build}
RUNS=${HETPLAN_BENCH_RUNS:-5}
PY=/usr/bin/python3
if ! "$PY" -c 'import pulp, yaml' 2>/dev/null || [ ! -x /usr/bin/cbc ] ||
   [ ! -x /usr/bin/time ]; then
  echo "periods_bench: needs python3-pulp, python3-yaml, coinor-cbc and" \
       "GNU time: HETPLAN_BENCH_DEPS=1 bash scripts/install-deps.sh" >&2
  exit 1
fi
if [ ! -x "$BUILD/hetplan" ] || [ ! -x "$BUILD/bench/periods_bench" ]; then
  HETPLAN_BUILD_DIR=$BUILD bash scripts/build.sh
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

echo "== in process: hp_periods_solve, $RUNS runs (no myopic plan)"
"$BUILD/bench/periods_bench" solve "$PLAN" "$RUNS" | tee "$TMP/inproc.json"

echo "== whole process, $RUNS runs each, alternated"
for i in $(seq "$RUNS"); do
  /usr/bin/time -f "%e %U %S %M" -o "$TMP/h$i.time" \
    "$BUILD/hetplan" plan "$PLAN" --format json > "$TMP/h.json"
  /usr/bin/time -f "%e %U %S %M" -o "$TMP/p$i.time" \
    "$PY" bench/periods_reference.py "$PLAN" > "$TMP/p.json"
done

"$PY" - "$TMP" "$RUNS" <<'EOF'
import json, statistics, sys
tmp, runs = sys.argv[1], int(sys.argv[2])
def times(side):
    rows = []
    for i in range(1, runs + 1):
        e, u, s, m = open(f"{tmp}/{side}{i}.time").read().split()[-4:]
        rows.append((float(e), float(u) + float(s), int(m)))
    return rows
h, p = times("h"), times("p")
hj = json.load(open(f"{tmp}/h.json"))
pj = [json.loads(l) for l in open(f"{tmp}/p.json")]
bad = 0
for sc in hj["scenarios"]:
    ref = next(x for x in pj if x["scenario"] == sc["name"])
    a, b = sc["objective_cny"], ref["objective_cny"]
    same = (sc["status"] == ref["status"] == "optimal" and sc["proven"]
            and abs(a - b) <= 1e-9 * abs(b))
    bad += not same
    print(f"scenario {sc['name']}: hetplan {a:.6f} CNY ({sc['status']}, "
          f"proven {sc['proven']}), PuLP + CBC {b:.6f} CNY "
          f"({ref['status']}): {'equal' if same else 'DIFFERENT'}")
for name, rows in (("hetplan", h), ("PuLP + CBC", p)):
    w = [r[0] for r in rows]; c = [r[1] for r in rows]
    print(f"{name:10s}: wall min {min(w):.3f} s median {statistics.median(w):.3f} s;"
          f" CPU min {min(c):.3f} s median {statistics.median(c):.3f} s;"
          f" peak memory {max(r[2] for r in rows) / 1024:.1f} MiB")
rw = min(r[0] for r in p) / min(r[0] for r in h)
rc = min(r[1] for r in p) / max(min(r[1] for r in h), 0.01)
print(f"whole-process ratio (PuLP + CBC / hetplan): wall {rw:.1f}x, "
      f"CPU {rc:.1f}x (target >= 10x)")
sys.exit(1 if bad else 0)
EOF
