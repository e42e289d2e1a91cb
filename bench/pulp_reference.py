#!/usr/bin/python3
"""pulp_reference.py - the reference for issue 3's solver benchmark.

Reads the integer programs that `planner_bench solve --export` wrote (the
exact hp_ip of each scenario: columns, bounds, integrality, dense rows,
numbers at 17 significant digits), builds each with PuLP and solves it with
CBC (/usr/bin/cbc through COIN_CMD, relative and absolute gaps 0 so that
"optimal" means proven optimal, as with GLPK's mip_gap = 0).

  pulp_reference.py INSTANCE.json              solve each scenario once and
                                               print the optima as JSON (the
                                               whole-process run that is timed)
  pulp_reference.py INSTANCE.json --repeat N   also solve each N more times
                                               and report PuLP's solve time
                                               (median, min) and CBC's own
                                               wall time from its log

Run it with /usr/bin/python3: python3-pulp is a Debian package
(HETPLAN_BENCH_DEPS=1 scripts/install-deps.sh), invisible to a pyenv python.
"""
import json
import os
import re
import statistics
import sys
import tempfile
import time

import pulp

CBC = os.environ.get("HETPLAN_CBC", "/usr/bin/cbc")


def build(ip):
    """The PuLP problem of one exported hp_ip; names are x<j> and r<i>
    because PuLP rewrites '-' in names and needs unique constraint names."""
    sense = pulp.LpMaximize if ip["sense"] == "max" else pulp.LpMinimize
    prob = pulp.LpProblem("hp_ip", sense)
    xs = []
    for j, c in enumerate(ip["cols"]):
        xs.append(pulp.LpVariable(
            "x%d" % j, lowBound=c["lb"], upBound=c["ub"],
            cat=pulp.LpInteger if c["integer"] else pulp.LpContinuous))
    prob += pulp.lpSum(c["obj"] * x for c, x in zip(ip["cols"], xs) if c["obj"])
    for i, r in enumerate(ip["rows"]):
        expr = pulp.lpSum(a * x for a, x in zip(r["a"], xs) if a != 0)
        lo, hi = r["lo"], r["hi"]
        if lo is not None and hi is not None and lo == hi:
            prob += (expr == lo), "r%d" % i
            continue
        if lo is not None:
            prob += (expr >= lo), "r%d_lo" % i
        if hi is not None:
            prob += (expr <= hi), "r%d_hi" % i
    return prob, xs


def solve(prob, log_path=None):
    """Solves with CBC at gap 0; returns (status name, PuLP wall seconds)."""
    solver = pulp.COIN_CMD(path=CBC, msg=False, gapRel=0, gapAbs=0,
                           logPath=log_path)
    prob.solve(solver)
    return pulp.LpStatus[prob.status], prob.solutionTime


LOG_OBJ = re.compile(r"^Objective value:\s+(\S+)", re.M)
LOG_WALL = re.compile(r"Time \(Wallclock seconds\):\s+(\S+)")
LOG_TOTAL = re.compile(r"Total time \(CPU seconds\):\s+(\S+)")


def cbc_log(path):
    """CBC's own objective (8 decimals) and wall/CPU seconds from its log."""
    with open(path) as f:
        text = f.read()
    m_obj, m_wall, m_cpu = (LOG_OBJ.search(text), LOG_WALL.search(text),
                            LOG_TOTAL.search(text))
    return (float(m_obj.group(1)) if m_obj else None,
            float(m_wall.group(1)) if m_wall else None,
            float(m_cpu.group(1)) if m_cpu else None)


def main(argv):
    if len(argv) not in (2, 4) or (len(argv) == 4 and argv[2] != "--repeat"):
        sys.stderr.write(__doc__)
        return 2
    repeat = int(argv[3]) if len(argv) == 4 else 0
    with open(argv[1]) as f:
        inst = json.load(f)
    out = {"pulp": pulp.__version__, "cbc": CBC, "scenarios": []}
    tmp = tempfile.mkdtemp(prefix="hp_pulp_") if repeat else None
    for sc in inst["scenarios"]:
        t0 = time.perf_counter()
        prob, xs = build(sc["ip"])
        build_s = time.perf_counter() - t0
        log_path = os.path.join(tmp, "cbc.log") if repeat else None
        status, solve_s = solve(prob, log_path)
        e = {"name": sc["name"], "status": status.lower(),
             "build_ms": build_s * 1e3, "solve_ms": solve_s * 1e3}
        if status == "Optimal":
            e["objective"] = pulp.value(prob.objective)
            e["x"] = [x.varValue for x in xs]
        if repeat:
            e["cbc_objective"], _, _ = cbc_log(log_path)
            pulp_ms, wall_ms, cpu_ms = [], [], []
            for _ in range(repeat):
                p2, _ = build(sc["ip"])
                st2, s2 = solve(p2, log_path)
                if st2 != status:
                    raise SystemExit("pulp_reference: %s: status changed to %s"
                                     % (sc["name"], st2))
                _, wall, cpu = cbc_log(log_path)
                pulp_ms.append(s2 * 1e3)
                if wall is not None:
                    wall_ms.append(wall * 1e3)
                if cpu is not None:
                    cpu_ms.append(cpu * 1e3)
            e["pulp_solve_ms_median"] = statistics.median(pulp_ms)
            e["pulp_solve_ms_min"] = min(pulp_ms)
            e["cbc_wall_ms_median"] = (statistics.median(wall_ms)
                                       if wall_ms else None)
            e["cbc_cpu_ms_median"] = (statistics.median(cpu_ms)
                                      if cpu_ms else None)
            e["runs"] = repeat
        out["scenarios"].append(e)
    if tmp:
        for name in os.listdir(tmp):
            os.remove(os.path.join(tmp, name))
        os.rmdir(tmp)
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
