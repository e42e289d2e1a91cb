#!/usr/bin/python3
"""periods_reference.py - the independent reference for issue 22's benchmark.

Reads a plan file with `periods:` (the same YAML hetplan reads) and the card
catalog (devices/*.yaml), builds the multi-period purchase program in PuLP
from the plan's figures, written here from the plan's meaning and not from
hetplan's code (no hetplan imports), and solves it with CBC (gaps 0, so
"optimal" means proven optimal).

  periods_reference.py PLAN [--catalog DIR]

prints one JSON line per scenario: {"scenario", "status", "objective_cny",
"solve_s"}. Run it with /usr/bin/python3 (python3-pulp, python3-yaml are
Debian packages).

What it covers (the subset of plan keys bench/periods_plan.yaml uses):
flops demand (tokens/day / seconds/day x peak x (1 + headroom); per server
cards x fp16_tflops x 1e12 x mfu / (2 x params)), whole servers, devices
(`all` or a list) per period, price_server_cny overrides per period,
constraints per period: domestic_share.min on the compute basis, caps on
a SKU or a vendor (cards delivered in the period), budget_cny (purchases in
the period); fleet cohorts with ages, lifetime_years (plan-wide), the
discount rate, objective npv (capex when bought plus electricity per
period, both discounted from the period's start) or capex.

The model: for each period p and SKU k, integer servers in service x[p,k]
and integer purchases b[p,k];
  x[p,k] <= fleet of k still alive at p + sum of b[q,k] bought at q <= p
            and still alive at p   (a server bought at t serves while
            its age at a period's start is below its lifetime)
  sum_k tok_k x[p,k] >= demand_p
  sum_k (dom_k - s_p) tok_k x[p,k] >= 0
  sum_{k in cap} cards_k b[p,k] <= cap;  sum_k price_pk b[p,k] <= budget_p
"""
import glob
import json
import os
import sys
import time

import pulp
import yaml

CBC = os.environ.get("HETPLAN_CBC", "/usr/bin/cbc")


def numbers(v):
    """PyYAML reads YAML 1.1, where 1.0e12 (no sign in the exponent) is a
    string; hetplan reads it as a number. Convert such strings back."""
    if isinstance(v, dict):
        return {k: numbers(x) for k, x in v.items()}
    if isinstance(v, list):
        return [numbers(x) for x in v]
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            return v
    return v


def merge(base, over):
    """Deep merge as plans do: maps key by key, anything else replaced."""
    out = dict(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge(out[k], v)
        else:
            out[k] = v
    return out


def load_catalog(d):
    cat = {}
    for f in sorted(glob.glob(os.path.join(d, "*.yaml"))):
        with open(f) as fh:
            c = numbers(yaml.safe_load(fh))
        cat[c["id"]] = c
    return dict(sorted(cat.items()))


def period_of(scen, per, cat):
    s = dict(scen)
    over = {k: v for k, v in per.items() if k not in ("name", "years", "budget_cny")}
    s = merge(s, over)
    w = s["workload"]
    demand = (w["tokens_per_day"] / w.get("seconds_per_day", 86400) *
              w.get("peak_factor", 1))
    cons = s.get("constraints", {}) or {}
    demand *= 1 + cons.get("headroom", 0)
    devs = s["devices"]
    ids = list(cat) if devs == "all" else list(devs)
    return {
        "name": per["name"],
        "years": float(per["years"]),
        "demand": demand,
        "buyable": set(ids),
        "overrides": s.get("overrides", {}) or {},
        "mfu": s.get("mfu", 0.5),
        "params": w["model"]["params"],
        "dom_min": (cons.get("domestic_share", {}) or {}).get("min"),
        "caps": cons.get("caps", {}) or {},
        "budget": per.get("budget_cny", cons.get("budget_cny", 0)),
        "pue": s.get("pue", 1.3),
        "util": s.get("utilisation", 1.0),
        "kwh": s.get("power_price_cny_per_kwh", 0.4),
    }


def solve(name, scen, cat):
    periods_in = scen["periods"]
    fleet = scen.get("fleet", {}) or {}
    life = float(scen.get("lifetime_years", 5))
    rate = float(scen.get("discount_rate", 0))
    npv = scen.get("objective", "npv") == "npv"
    base = {k: v for k, v in scen.items()
            if k not in ("periods", "fleet", "lifetime_years", "discount_rate", "objective")}
    P = [period_of(base, p, cat) for p in periods_in]
    skus = [k for k in cat if any(k in p["buyable"] for p in P) or k in fleet]
    start, t = [], 0.0
    for p in P:
        start.append(t)
        t += p["years"]
    prob = pulp.LpProblem("periods", pulp.LpMinimize)
    x, b = {}, {}
    for i, p in enumerate(P):
        for j, k in enumerate(skus):
            x[i, k] = pulp.LpVariable(f"x_{i}_{j}", lowBound=0, cat="Integer")
            ub = None if k in p["buyable"] else 0
            b[i, k] = pulp.LpVariable(f"b_{i}_{j}", lowBound=0, upBound=ub,
                                      cat="Integer")
    cost = []
    for i, p in enumerate(P):
        disc = (1 + rate) ** -start[i] if npv else 1.0
        tok, price = {}, {}
        for k in skus:
            c = cat[k]
            o = p["overrides"].get(k, {}) or {}
            cards = c["cards_per_server"]
            tok[k] = (cards * c["fp16_tflops"] * 1e12 * p["mfu"] /
                      (2 * p["params"]))
            price[k] = o.get("price_server_cny", c["price_server_cny"])
            kw = c["tdp_w"] * cards * p["pue"] / 1000
            opex = kw * p["util"] * 8760 * p["kwh"]
            cost.append(price[k] * disc * b[i, k])
            if npv:
                cost.append(opex * p["years"] * disc * x[i, k])
            alive_fleet = 0
            cohorts = fleet.get(k)
            if cohorts:
                for co in cohorts if isinstance(cohorts, list) else [cohorts]:
                    if co.get("age_years", 0) + start[i] < life - 1e-9:
                        alive_fleet += co["servers"]
            bought = [b[q, k] for q in range(i + 1)
                      if start[i] - start[q] < life - 1e-9]
            prob += x[i, k] <= alive_fleet + pulp.lpSum(bought), f"supply_{i}_{skus.index(k)}"
        prob += pulp.lpSum(tok[k] * x[i, k] for k in skus) >= p["demand"], f"demand_{i}"
        if p["dom_min"] is not None:
            s = p["dom_min"]
            prob += pulp.lpSum(((1 if cat[k].get("domestic") else 0) - s) *
                               tok[k] * x[i, k] for k in skus) >= 0, f"dom_{i}"
        for key, cards in p["caps"].items():
            if key.startswith("vendor."):
                members = [k for k in skus if cat[k]["vendor"] == key[7:]]
            else:
                members = [k for k in skus if k == key]
            if members:
                prob += pulp.lpSum(cat[k]["cards_per_server"] * b[i, k]
                                   for k in members) <= cards, f"cap_{i}_{key}"
        if p["budget"]:
            prob += pulp.lpSum(price[k] * b[i, k] for k in skus) <= p["budget"], f"budget_{i}"
    prob += pulp.lpSum(cost)
    t0 = time.perf_counter()
    prob.solve(pulp.COIN_CMD(path=CBC, msg=False, gapRel=0, gapAbs=0))
    dt = time.perf_counter() - t0
    status = pulp.LpStatus[prob.status].lower()
    obj = pulp.value(prob.objective) if status == "optimal" else None
    return {"scenario": name, "status": status, "objective_cny": obj,
            "solve_s": dt}


def main():
    args = sys.argv[1:]
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    plan = args[0]
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    catdir = os.path.join(root, "devices")
    if "--catalog" in args:
        catdir = args[args.index("--catalog") + 1]
    cat = load_catalog(catdir)
    with open(plan) as fh:
        doc = numbers(yaml.safe_load(fh))
    defaults = doc.get("defaults", {}) or {}
    for sc in doc["scenarios"]:
        scen = merge(defaults, sc)
        print(json.dumps(solve(sc["name"], scen, cat)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
