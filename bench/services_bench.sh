#!/usr/bin/env bash
# services_bench.sh [PLAN[:CATALOG]...] - issue 21's speed check: the
# whole-process time of `hetplan plan PLAN --format json` against the
# independent PuLP + CBC formulation (bench/services_reference.py) on the
# same plans, and both optima per scenario.
#
# Default plans: plans/fleet-2025-services.yaml (the 3-service plan with a
# disaggregated scenario: the target, >= 10x) and bench/melange/example.yaml
# (catalog bench/melange/devices). A plan's catalog is given after a colon.
# For each plan: one warm-up run of each command, then RUNS runs of each,
# alternated (drift on a shared host hits both alike), each timed from fork
# to wait with its CPU time (user + system, the process and the children it
# waited for: cbc under PuLP) from wait4. It prints median and range of
# wall and CPU time, the ratio of the medians, and the optima (relative
# 1e-6 to agree).
# Environment:
#   HETPLAN_BUILD_DIR   build tree (default build/; built here if needed)
#   HETPLAN_BENCH_RUNS  runs of each command per plan (default 7, at least 5)
#   HETPLAN_BIN         a hetplan executable to time as it is (no build)
# Needs python3-pulp, python3-yaml and coinor-cbc (HETPLAN_BENCH_DEPS=1
# scripts/install-deps.sh); uses /usr/bin/python3. Exit status 0, or 1 if an
# optimum differs or a command failed; the speed target is reported, not
# enforced.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BUILD=${HETPLAN_BUILD_DIR:-build}
RUNS=${HETPLAN_BENCH_RUNS:-7}
PY=/usr/bin/python3
CBC=${HETPLAN_CBC:-/usr/bin/cbc}

if ! "$PY" -c 'import pulp, yaml' 2>/dev/null || [ ! -x "$CBC" ]; then
  echo "services_bench: needs python3-pulp, python3-yaml and coinor-cbc:" \
       "HETPLAN_BENCH_DEPS=1 bash scripts/install-deps.sh" >&2
  exit 1
fi
[ "$RUNS" -ge 5 ] || { echo "services_bench: HETPLAN_BENCH_RUNS >= 5" >&2; exit 1; }
if [ -n "${HETPLAN_BIN:-}" ]; then
  HP=$HETPLAN_BIN
else
  if [ ! -x "$BUILD/hetplan" ]; then
    HETPLAN_BUILD_DIR=$BUILD bash scripts/build.sh
  else
    cmake --build "$BUILD" --target hetplan >/dev/null
  fi
  case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
  HP=$BUILD/hetplan
fi
if [ $# -eq 0 ]; then
  set -- plans/fleet-2025-services.yaml \
         bench/melange/example.yaml:bench/melange/devices
fi

echo "services_bench: $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ), $RUNS runs each"
echo "  PuLP $("$PY" -c 'import pulp; print(pulp.__version__)')," \
     "CBC $("$CBC" -quit </dev/null 2>&1 | sed -n 's/^Version: //p' | head -1)," \
     "$("$HP" --version 2>&1 | head -1)"

HETPLAN_CBC=$CBC "$PY" - "$HP" "$RUNS" "$@" <<'PY'
import json, os, statistics, subprocess, sys, time

hp, runs, specs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
PYTHON = "/usr/bin/python3"
def cli_objective(c, kind):
    """The optimum in one scenario of `hetplan plan --format json`: capex_cny,
    tco_cny, or the fleet's services.rent_cny_per_hour."""
    if kind == "rent":
        return (c.get("services") or {}).get("rent_cny_per_hour")
    return c.get({"capex": "capex_cny", "tco": "tco_cny"}[kind])
REL = 1e-6


def run(argv, out=None):
    """Wall ms and CPU ms (user + sys of the process and its waited-for
    children) of one run; stdout kept when out is given."""
    t0 = time.perf_counter()
    p = subprocess.Popen(argv, stdout=subprocess.PIPE if out is not None
                         else subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    data = p.stdout.read() if out is not None else None
    _, st, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(st)
    wall = (time.perf_counter() - t0) * 1e3
    if p.returncode != 0:
        raise SystemExit("services_bench: %s exited %d" % (" ".join(argv),
                                                            p.returncode))
    if out is not None:
        out.append(data)
    return wall, (ru.ru_utime + ru.ru_stime) * 1e3


def same(a, b):
    return a is not None and b is not None and \
        abs(a - b) <= REL * max(1.0, abs(a), abs(b))


def fmt(xs):
    return "%9.1f [%.1f-%.1f]" % (statistics.median(xs), min(xs), max(xs))


bad = 0
for spec in specs:
    plan, _, cat = spec.partition(":")
    cat = cat or "devices"
    a = [hp, "plan", plan, "--catalog", cat, "--format", "json"]
    b = [PYTHON, "bench/services_reference.py", plan, "--catalog", cat]
    outa, outb = [], []
    run(a, outa)
    run(b, outb)  # warm-up, and the optima
    ta, tb = [], []
    for _ in range(runs):
        ta.append(run(a))
        tb.append(run(b))
    cli = {s["name"]: s for s in json.loads(outa[0])["scenarios"]}
    ref = json.loads(outb[0])["scenarios"]
    print("\n== %s (catalog %s)" % (plan, cat))
    print("%-24s %-6s %22s %22s %5s" % ("scenario", "obj", "hetplan optimum",
                                        "PuLP + CBC optimum", "same"))
    for r in ref:
        c = cli.get(r["name"], {})
        co = None
        if c.get("status") == "optimal":
            co = cli_objective(c, r["objective_kind"])
        ro = r.get("objective")
        ok = (c.get("status") == r["status"] and
              (r["status"] != "optimal" or same(co, ro)))
        bad += not ok
        print("%-24s %-6s %22s %22s %5s" % (
            r["name"], r["objective_kind"],
            "%.10g" % co if co is not None else c.get("status", "-"),
            "%.10g" % ro if ro is not None else r["status"],
            "yes" if ok else "NO"))
    wa = [w for w, _ in ta]
    wb = [w for w, _ in tb]
    ca = [c for _, c in ta]
    cb = [c for _, c in tb]
    print("%-24s %24s %24s" % ("whole process, ms", "median [min-max] wall",
                               "median [min-max] CPU"))
    print("%-24s %24s %24s" % ("hetplan plan", fmt(wa), fmt(ca)))
    print("%-24s %24s %24s" % ("PuLP + CBC reference", fmt(wb), fmt(cb)))
    print("%-24s %23.1fx %23.1fx" % ("reference / hetplan",
                                     statistics.median(wb) /
                                     statistics.median(wa),
                                     statistics.median(cb) /
                                     max(statistics.median(ca), 1e-3)))
print("\ntarget (issue 21): >= 10x whole-process on the 3-service "
      "disaggregated plan (plans/fleet-2025-services.yaml)")
sys.exit(1 if bad else 0)
PY
