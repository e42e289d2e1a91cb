#!/usr/bin/python3
"""services_reference.py - an independent formulation of issue 21's
shared-capacity program (services, request classes, prefill/decode pools,
measured throughput, minimum orders, max SKUs, network between pools),
built with PuLP and solved with CBC.

  services_reference.py PLAN.yaml [--catalog DIR] [--scenario NAME]
                                  [--lp DIR] [--quiet]

It reads the plan file, the device files and the model files itself
(python3-yaml) and imports nothing of hetplan: it is the second
implementation that keeps src/planner.c honest, written from the contract
in bench/README.md ("Services: the reference") and nothing else. It prints
one JSON document: per scenario the status, the objective (CNY, CNY/h or
tokens/s by objective) and the servers bought per SKU and pool.

Throughput per (service, class, phase, SKU) comes from the plan's
`throughput:` rows, or from the broker formula under `demand_model: flops`.
A cell the roofline model would have to compute is refused: the reference
does not reimplement the roofline (bench plans give every cell a row).

Run it with /usr/bin/python3: python3-pulp and python3-yaml are Debian
packages (HETPLAN_BENCH_DEPS=1 scripts/install-deps.sh).
"""
import json
import math
import os
import re
import sys

import pulp
import yaml

CBC = os.environ.get("HETPLAN_CBC", "/usr/bin/cbc")
class Loader(yaml.SafeLoader):
    """YAML 1.2 numbers: PyYAML (YAML 1.1) reads 671e9 and 3.0e12 as strings."""


Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"""^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)
                   (?:[eE][-+]?[0-9]+)?$|^[-+]?\.(?:inf|Inf|INF)$
                   |^\.(?:nan|NaN|NAN)$""", re.X),
    list("-+0123456789."))


DEFAULT_NETWORK_GBPS = 400.0  # one 400G NIC per server (the contract)
POOLS = ("colocated", "prefill", "decode")
DTYPE_BYTES = {"fp32": 4, "f32": 4, "fp16": 2, "bf16": 2, "f16": 2,
               "fp8": 1, "int8": 1, "e4m3": 1, "fp4": 0.5, "int4": 0.5,
               "nvfp4": 0.5, "mxfp4": 0.5}


class PlanError(Exception):
    pass


# ---------------------------------------------------------------------------
# Input
# ---------------------------------------------------------------------------

def load_yaml(path):
    try:
        with open(path) as f:
            return yaml.load(f, Loader=Loader)
    except OSError as e:
        raise PlanError("%s: %s" % (path, e.strerror))
    except yaml.YAMLError as e:
        raise PlanError("%s: %s" % (path, e))


def merge(base, over):
    """A scenario over the defaults: mappings merge key by key, anything
    else (lists included: services, throughput, devices) replaces."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = merge(base.get(k), v) if k in base else v
        return out
    return over


def load_catalog(d):
    cat = {}
    for name in sorted(os.listdir(d)):
        if name.endswith(".yaml"):
            dev = load_yaml(os.path.join(d, name))
            if isinstance(dev, dict) and "id" in dev:
                cat[dev["id"]] = dev
    if not cat:
        raise PlanError("%s: no device files" % d)
    return cat


def find_model(name, plan_dir, catalog_dir):
    dirs = [os.path.join(plan_dir, "..", "models"),
            os.path.join(plan_dir, "models")]
    if os.environ.get("HETPLAN_MODELS"):
        dirs.append(os.environ["HETPLAN_MODELS"])
    dirs += [os.path.join(catalog_dir, "..", "models"), "models"]
    for d in dirs:
        p = os.path.join(d, name + ".yaml")
        if os.path.exists(p):
            return load_yaml(p)
    raise PlanError("model '%s': no %s.yaml in %s" % (name, name,
                                                       ", ".join(dirs)))


def model_of(spec, plan_dir, catalog_dir):
    if not isinstance(spec, dict):
        raise PlanError("service model: expected a mapping")
    m = {}
    if "name" in spec and len(spec) == 1:
        m = dict(find_model(spec["name"], plan_dir, catalog_dir))
    elif "name" in spec and "params" not in spec and "config" not in spec:
        m = dict(find_model(spec["name"], plan_dir, catalog_dir))
        m.update(spec)
    else:
        m = dict(spec)
    return m


def kv_bytes_per_token(m):
    """KV cache bytes per token of the whole model (docs/roofline.md step 2):
    MLA (kv_lora_rank + qk_rope_head_dim) x layers x bytes, else
    2 x layers x kv_heads x head_dim x bytes. None without the figures."""
    layers = m.get("layers")
    kvb = DTYPE_BYTES.get(str(m.get("kv_dtype", "bf16")).lower())
    if not layers or kvb is None:
        return None
    if m.get("kv_lora_rank"):
        return (m["kv_lora_rank"] + m.get("qk_rope_head_dim", 0)) * layers * kvb
    kv_heads = m.get("kv_heads") or m.get("heads")
    head_dim = m.get("head_dim")
    if not head_dim and m.get("hidden_size") and m.get("heads"):
        head_dim = m["hidden_size"] / m["heads"]
    if not kv_heads or not head_dim:
        return None
    return 2 * layers * kv_heads * head_dim * kvb


# ---------------------------------------------------------------------------
# The scenario, resolved
# ---------------------------------------------------------------------------

def figure(dev, key, overrides):
    o = overrides.get(dev["id"], {}) or {}
    if key in o:
        return float(o[key])
    v = dev.get(key)
    return float(v) if v is not None else 0.0


def candidates(sc, cat):
    devs = sc.get("devices", "all")
    if devs == "all":
        ids = sorted(cat, key=lambda i: (cat[i].get("vendor", ""), i))
    elif devs == "available":
        ids = [i for i in sorted(cat, key=lambda i: (cat[i].get("vendor", ""),
                                                      i))
               if (cat[i].get("market") or {}).get("china") != "unavailable"]
    else:
        ids = list(devs)
    for i in ids:
        if i not in cat:
            raise PlanError("devices: unknown device '%s'" % i)
    return ids


def services_of(sc, plan_dir, catalog_dir):
    """The scenario's services; `workload:` is one service named after the
    model."""
    if "services" in sc and sc["services"] is not None:
        raw = sc["services"]
    elif "workload" in sc:
        w = dict(sc["workload"])
        w.setdefault("name", (w.get("model") or {}).get("name", "workload"))
        w["_workload"] = True
        raw = [w]
    else:
        raise PlanError("scenario '%s': no services and no workload"
                        % sc["name"])
    out = []
    for sv in raw:
        name = sv["name"]
        if any(o["name"] == name for o in out):
            raise PlanError("service '%s' given twice" % name)
        m = model_of(sv["model"], plan_dir, catalog_dir)
        # No request classes: one class whose "request" is one token, so
        # that its requests/s are the service's tokens/s.
        classes = sv.get("requests") or [
            {"name": name, "share": 1, "input_tokens": 0,
             "output_tokens": 1}]
        tot = sum(float(k.get("share", 1)) for k in classes)
        ks = []
        for k in classes:
            ks.append({"name": k["name"],
                       "share": float(k.get("share", 1)) / tot,
                       "in": float(k.get("input_tokens", 0)),
                       "out": float(k.get("output_tokens", 0))})
        spd = float(sv.get("seconds_per_day", 86400))
        peak = float(sv.get("peak_factor", 1))
        if ("tokens_per_day" in sv) == ("requests_per_s" in sv):
            raise PlanError("service '%s': give exactly one of tokens_per_day "
                            "and requests_per_s" % name)
        if "requests_per_s" in sv:
            rps = float(sv["requests_per_s"])
        else:
            per_req = sum(k["share"] * (k["in"] + k["out"]) for k in ks)
            if per_req <= 0:
                raise PlanError("service '%s': tokens_per_day needs request "
                                "classes with tokens" % name)
            rps = float(sv["tokens_per_day"]) / spd / per_req
        serving = sv.get("serving", "colocated")
        if serving not in ("colocated", "disaggregated"):
            raise PlanError("service '%s': serving: expected colocated or "
                            "disaggregated" % name)
        out.append({"name": name, "model": m, "classes": ks, "rps": rps,
                    "peak": peak, "serving": serving,
                    "kv_per_token": kv_bytes_per_token(m)})
    return out


def throughput_rows(sc, plan_dir):
    t = sc.get("throughput")
    if t is None:
        return []
    if isinstance(t, dict) and "file" in t:
        rows = load_yaml(os.path.join(plan_dir, t["file"]))
    else:
        rows = t
    if not isinstance(rows, list):
        raise PlanError("throughput: expected a list of rows or {file: PATH}")
    return rows


def phases_of(sv):
    return ("prefill", "decode") if sv["serving"] == "disaggregated" else (
        "colocated",)


def tokens_per_request(k, ph):
    return {"colocated": k["in"] + k["out"], "prefill": k["in"],
            "decode": k["out"]}[ph]


def resolve(sc, cat, plan_dir, catalog_dir):
    """Everything the program needs, as plain numbers."""
    ov = sc.get("overrides") or {}
    for key in ov:
        if key not in cat:
            raise PlanError("overrides: unknown device '%s'" % key)
    gran = sc.get("granularity", "server")
    if gran not in ("server", "card", "fractional"):
        raise PlanError("granularity: expected server, card or fractional")
    obj = sc.get("objective", "capex")
    if obj not in ("capex", "tco", "rent"):
        raise PlanError("objective '%s': the reference solves capex, tco and "
                        "rent" % obj)
    ids = candidates(sc, cat)
    if obj == "rent":
        priced = [i for i in ids if figure(cat[i], "price_hour_cny", ov) > 0]
        if not priced:
            raise PlanError("objective rent: no candidate has price_hour_cny")
        ids = priced
    svcs = services_of(sc, plan_dir, catalog_dir)
    model_kind = sc.get("demand_model", "flops")
    mfu_plan = sc.get("mfu")
    skus = []
    for i in ids:
        d = cat[i]
        cps = figure(d, "cards_per_server", ov)
        o = ov.get(i, {}) or {}
        mfu = o.get("mfu", mfu_plan if mfu_plan is not None else
                    d.get("mfu", 0.5))
        skus.append({
            "id": i, "vendor": d.get("vendor", ""),
            "domestic": bool(d.get("domestic")), "cps": cps,
            "price": figure(d, "price_server_cny", ov),
            "price_hour": figure(d, "price_hour_cny", ov),
            "tdp_w": figure(d, "tdp_w", ov),
            "fp16": figure(d, "fp16_tflops", ov), "mfu": float(mfu),
            "net_bytes_s": (figure(d, "network_gbps", ov) or
                            DEFAULT_NETWORK_GBPS) * 1e9 / 8})
    # Throughput cells, requests/s per server.
    thr = {}
    sidx = {s["name"]: s for s in svcs}
    for r in throughput_rows(sc, plan_dir):
        sv = sidx.get(r.get("service"))
        if sv is None:
            raise PlanError("throughput row: unknown service '%s'"
                            % r.get("service"))
        cname = r.get("class")
        if cname is None:
            if len(sv["classes"]) != 1:
                raise PlanError("throughput row of '%s': class needed (the "
                                "service has %d)" % (sv["name"],
                                                     len(sv["classes"])))
            cname = sv["classes"][0]["name"]
        k = next((k for k in sv["classes"] if k["name"] == cname), None)
        if k is None:
            raise PlanError("throughput row: unknown class '%s' of service "
                            "'%s'" % (cname, sv["name"]))
        dev = r.get("device")
        if dev not in cat:
            raise PlanError("throughput row: unknown device '%s'" % dev)
        ph = r.get("phase")
        if ph is not None and sv["serving"] != "disaggregated":
            raise PlanError("throughput row: phase given for the colocated "
                            "service '%s'" % sv["name"])
        if sv["serving"] == "disaggregated" and ph not in ("prefill",
                                                           "decode"):
            raise PlanError("throughput row of the disaggregated service "
                            "'%s': phase prefill or decode needed"
                            % sv["name"])
        ph = ph or "colocated"
        if ("tokens_per_s" in r) == ("requests_per_s" in r):
            raise PlanError("throughput row: exactly one of tokens_per_s and "
                            "requests_per_s")
        cps = figure(cat[dev], "cards_per_server", ov)
        scale = cps if r.get("per") == "card" else 1.0
        if "requests_per_s" in r:
            v = float(r["requests_per_s"]) * scale
        else:
            tpr = tokens_per_request(k, ph)
            v = float(r["tokens_per_s"]) * scale / tpr if tpr > 0 else 0
        if v <= 0:
            raise PlanError("throughput row: throughput must be > 0")
        thr[(sv["name"], k["name"], ph, dev)] = v
    cells = {}
    for sv in svcs:
        for k in sv["classes"]:
            for ph in phases_of(sv):
                for sku in skus:
                    key = (sv["name"], k["name"], ph, sku["id"])
                    if key in thr:
                        cells[key] = thr[key]
                    elif model_kind == "flops" and ph == "colocated":
                        m = sv["model"]
                        a = float(m.get("active_params") or m.get("params"))
                        tps = sku["cps"] * sku["fp16"] * 1e12 * sku["mfu"] / (
                            2 * a)
                        cells[key] = tps / (k["in"] + k["out"])
                    else:
                        raise PlanError(
                            "scenario '%s': no throughput row for service %s "
                            "class %s phase %s device %s (the reference does "
                            "not compute roofline cells)"
                            % ((sc["name"],) + key))
    return {"name": sc["name"], "objective": obj, "granularity": gran,
            "skus": skus, "services": svcs, "cells": cells,
            "constraints": sc.get("constraints") or {},
            "pue": float(sc.get("pue", 1.3)), "years": float(sc.get("years",
                                                                      5)),
            "power_price": float(sc.get("power_price_cny_per_kwh", 0.4)),
            "utilisation": float(sc.get("utilisation", 1.0)),
            "demand_model": model_kind}


# ---------------------------------------------------------------------------
# The program
# ---------------------------------------------------------------------------

def build(R):
    """The shared-capacity program of one resolved scenario."""
    con = R["constraints"]
    gran = R["granularity"]
    headroom = float(con.get("headroom", 0))
    cat_int = pulp.LpContinuous if gran == "fractional" else pulp.LpInteger
    prob = pulp.LpProblem("services", pulp.LpMinimize)
    skus = R["skus"]
    per = {s["id"]: (1.0 / s["cps"] if gran == "card" else 1.0) for s in skus}
    excl = set(con.get("exclude_vendors") or [])

    # Load fractions x[service, class, phase, sku] over the servable SKUs.
    load = {}  # (s, k, ph) -> requests/s at peak with headroom
    x = {}
    for sv in R["services"]:
        for k in sv["classes"]:
            rate = sv["rps"] * sv["peak"] * k["share"] * (1 + headroom)
            for ph in phases_of(sv):
                load[(sv["name"], k["name"], ph)] = (rate, sv, k)
                for s in skus:
                    t = R["cells"].get((sv["name"], k["name"], ph, s["id"]))
                    if t and t > 0 and s["vendor"] not in excl:
                        x[(sv["name"], k["name"], ph, s["id"])] = \
                            pulp.LpVariable("x%d" % len(x), 0, 1)
    # Server columns per SKU and pool, where some cell can use the pool.
    y = {}
    for s in skus:
        for pool in POOLS:
            if any(key[3] == s["id"] and key[2] == pool for key in x):
                y[(s["id"], pool)] = pulp.LpVariable(
                    "y%d" % len(y), 0, None, cat=cat_int)

    def servers(sid):  # servers of one SKU over its pools (an expression)
        return pulp.lpSum(per[sid] * y[(sid, p)] for p in POOLS
                          if (sid, p) in y)

    def cards(sid):
        s = next(s for s in skus if s["id"] == sid)
        return pulp.lpSum(s["cps"] * per[sid] * y[(sid, p)] for p in POOLS
                          if (sid, p) in y)

    sku = {s["id"]: s for s in skus}
    capex = pulp.lpSum(sku[sid]["price"] * per[sid] * v
                       for (sid, _), v in y.items())
    kw = {sid: sku[sid]["tdp_w"] * sku[sid]["cps"] * R["pue"] / 1000.0
          for sid in sku}  # per server
    if R["objective"] == "capex":
        prob += capex
    elif R["objective"] == "rent":
        prob += pulp.lpSum(sku[sid]["price_hour"] * per[sid] * v
                           for (sid, _), v in y.items())
    else:  # tco
        opex = {sid: kw[sid] * R["utilisation"] * 8760.0 * R["power_price"]
                for sid in sku}
        prob += pulp.lpSum((sku[sid]["price"] + R["years"] * opex[sid]) *
                           per[sid] * v for (sid, _), v in y.items())

    n = [0]

    def add(expr, name):
        n[0] += 1
        prob.__iadd__((expr, "%s_%d" % (name, n[0])))

    # Every (service, class, phase) is served in full.
    for (sn, kn, ph), (rate, sv, k) in load.items():
        xs = [v for key, v in x.items() if key[:3] == (sn, kn, ph)]
        if not xs:
            raise PlanError("scenario '%s': service %s class %s phase %s can "
                            "be placed on no SKU" % (R["name"], sn, kn, ph))
        add(pulp.lpSum(xs) == 1, "serve")
    # Capacity per SKU and pool: sum x load / throughput <= servers.
    for (sid, pool), col in y.items():
        terms = [v * load[key[:3]][0] / R["cells"][key]
                 for key, v in x.items() if key[3] == sid and key[2] == pool]
        add(pulp.lpSum(terms) <= per[sid] * col, "cap")
    # Network: KV bytes/s leaving a prefill pool / entering a decode pool.
    for (sid, pool), col in y.items():
        if pool not in ("prefill", "decode"):
            continue
        terms = []
        for key, v in x.items():
            if key[3] != sid or key[2] != pool:
                continue
            rate, sv, k = load[key[:3]]
            if sv["kv_per_token"] is None:
                raise PlanError("service %s: the model gives no KV bytes per "
                                "token (layers, kv_heads, head_dim, kv_dtype)"
                                % sv["name"])
            terms.append(v * rate * k["in"] * sv["kv_per_token"])
        # scaled to GB/s so that the row's numbers stay near 1
        add(pulp.lpSum(t / 1e9 for t in terms) <=
            per[sid] * col * sku[sid]["net_bytes_s"] / 1e9, "net")
    for s in skus:
        if s["vendor"] in excl:
            for p in POOLS:
                if (s["id"], p) in y:
                    add(y[(s["id"], p)] == 0, "excl")
    if con.get("budget_cny"):
        add(capex <= float(con["budget_cny"]), "budget")
    if con.get("power_mw"):
        add(pulp.lpSum(kw[sid] / 1000.0 * per[sid] * v
                       for (sid, _), v in y.items()) <=
            float(con["power_mw"]), "power")
    caps = con.get("caps") or {}
    for key, cap in caps.items():
        if key.startswith("vendor."):
            ids = [s["id"] for s in skus if s["vendor"] == key[7:]]
        else:
            ids = [key] if key in sku else []
        if ids:
            add(pulp.lpSum(cards(i) for i in ids) <= float(cap), "capsrow")
    # Delivered tokens/s of a load fraction (the compute basis).
    def tokens(key, v):
        rate, sv, k = load[key[:3]]
        return v * rate * tokens_per_request(k, key[2])
    ds = con.get("domestic_share")
    if ds:
        basis = ds.get("basis", "compute")
        for bound, sense in (("min", 1), ("max", -1)):
            if ds.get(bound) is None:
                continue
            sh = float(ds[bound])
            if basis == "cards":
                e = pulp.lpSum(((1 if s["domestic"] else 0) - sh) * cards(
                    s["id"]) for s in skus)
            elif basis == "capex":
                e = pulp.lpSum(((1 if sku[sid]["domestic"] else 0) - sh) *
                               sku[sid]["price"] * per[sid] * v
                               for (sid, _), v in y.items())
            else:
                e = pulp.lpSum(((1 if sku[key[3]]["domestic"] else 0) - sh) *
                               tokens(key, v) for key, v in x.items())
            add(e >= 0 if sense == 1 else e <= 0, "share" + bound)
    mvs = con.get("max_vendor_share")
    if mvs:
        for vendor in sorted({s["vendor"] for s in skus}):
            add(pulp.lpSum(((1 if sku[key[3]]["vendor"] == vendor else 0) -
                            float(mvs)) * tokens(key, v)
                           for key, v in x.items()) <= 0, "vendor")
    # Minimum orders and the number of SKUs: a pick per SKU.
    nmin = float(con.get("min_servers_per_sku", 0) or 0)
    kmax = con.get("max_skus")
    if kmax is not None and float(kmax) < 1:
        raise PlanError("max_skus: expected a number >= 1")
    if nmin > 0 or kmax is not None:
        z = {}
        for s in skus:
            sid = s["id"]
            if not any(k2[0] == sid for k2 in y):
                continue
            z[sid] = pulp.LpVariable("z_%d" % len(z), cat=pulp.LpBinary)
            add(servers(sid) >= nmin * z[sid], "minorder")
            add(servers(sid) <= big_m(R, s, x, load, nmin) * z[sid], "pick")
        if kmax is not None:
            add(pulp.lpSum(z.values()) <= float(kmax), "maxskus")
    return prob, x, y, load


def big_m(R, s, x, load, nmin):
    """An upper bound on the servers of SKU s in an optimal plan: every
    cell's load and KV traffic on s alone, whole servers per pool, and
    (when a domestic minimum may buy idle servers) a wide margin."""
    need = {}
    for key in x:
        if key[3] != s["id"]:
            continue
        rate, sv, k = load[key[:3]]
        srv = rate / R["cells"][key]
        if key[2] in ("prefill", "decode") and sv["kv_per_token"]:
            srv = max(srv, rate * k["in"] * sv["kv_per_token"] /
                      s["net_bytes_s"])
        need[key[2]] = need.get(key[2], 0) + srv
    m = sum(math.ceil(v) + 1 for v in need.values()) + nmin
    caps = R["constraints"].get("caps") or {}
    if s["id"] in caps:
        m = min(m, math.floor(float(caps[s["id"]]) / s["cps"]) + 1)
    ds = R["constraints"].get("domestic_share") or {}
    if s["domestic"] and ds.get("min"):
        m *= 50
    return max(m, nmin, 1)


def objective_of(R, servers):
    """The objective of a plan given as servers per (SKU, pool)."""
    tot = 0.0
    for s in R["skus"]:
        n = sum(v for (sid, _), v in servers.items() if sid == s["id"])
        if R["objective"] == "capex":
            tot += n * s["price"]
        elif R["objective"] == "rent":
            tot += n * s["price_hour"]
        else:
            kw = s["tdp_w"] * s["cps"] * R["pue"] / 1000.0
            tot += n * (s["price"] + R["years"] * kw * R["utilisation"] *
                        8760.0 * R["power_price"])
    return tot


def check(R, servers, frac, load):
    """Every row of the contract, recomputed in plain arithmetic from the
    solution (servers per (SKU, pool), load fractions): a list of the
    violations, empty when the plan is feasible (relative 1e-6)."""
    bad = []
    con = R["constraints"]
    sku = {s["id"]: s for s in R["skus"]}

    def le(a, b, what):
        if a > b + 1e-6 * max(1.0, abs(b)):
            bad.append("%s: %.9g > %.9g" % (what, a, b))

    for cell in load:
        tot = sum(v for k, v in frac.items() if k[:3] == cell)
        if abs(tot - 1) > 1e-6:
            bad.append("%s served %.9f" % ("/".join(cell), tot))
    for (sid, pool) in {(k[3], k[2]) for k in frac}:
        have = servers.get((sid, pool), 0.0)
        use = sum(v * load[k[:3]][0] / R["cells"][k]
                  for k, v in frac.items() if k[3] == sid and k[2] == pool)
        le(use, have, "capacity %s %s" % (sid, pool))
        if pool in ("prefill", "decode"):
            kv = sum(v * load[k[:3]][0] * load[k[:3]][2]["in"] *
                     load[k[:3]][1]["kv_per_token"]
                     for k, v in frac.items() if k[3] == sid and k[2] == pool)
            le(kv, have * sku[sid]["net_bytes_s"], "network %s %s"
               % (sid, pool))
    srv = {sid: sum(v for (i, _), v in servers.items() if i == sid)
           for sid in sku}
    crd = {sid: srv[sid] * sku[sid]["cps"] for sid in sku}
    for key, cap in (con.get("caps") or {}).items():
        ids = ([i for i in sku if sku[i]["vendor"] == key[7:]]
               if key.startswith("vendor.") else [key] if key in sku else [])
        le(sum(crd[i] for i in ids), float(cap), "cap " + key)
    capex = sum(srv[i] * sku[i]["price"] for i in sku)
    if con.get("budget_cny"):
        le(capex, float(con["budget_cny"]), "budget")
    if con.get("power_mw"):
        le(sum(crd[i] * sku[i]["tdp_w"] * R["pue"] / 1e6 for i in sku),
           float(con["power_mw"]), "power")
    for i in sku:
        if sku[i]["vendor"] in set(con.get("exclude_vendors") or []):
            le(srv[i], 0, "excluded " + i)
    ds = con.get("domestic_share") or {}
    if ds:
        basis = ds.get("basis", "compute")
        if basis == "cards":
            w = {i: crd[i] for i in sku}
        elif basis == "capex":
            w = {i: srv[i] * sku[i]["price"] for i in sku}
        else:
            w = {i: 0.0 for i in sku}
            for k, v in frac.items():
                rate, sv, kk = load[k[:3]]
                w[k[3]] += v * rate * tokens_per_request(kk, k[2])
        tot = sum(w.values())
        dom = sum(w[i] for i in sku if sku[i]["domestic"])
        if ds.get("min") is not None:
            le(float(ds["min"]) * tot, dom, "domestic_share.min")
        if ds.get("max") is not None:
            le(dom, float(ds["max"]) * tot, "domestic_share.max")
    nmin = float(con.get("min_servers_per_sku", 0) or 0)
    for i in sku:
        if srv[i] > 1e-9:
            le(nmin, srv[i], "min_servers_per_sku " + i)
    if con.get("max_skus") is not None:
        le(sum(1 for i in sku if srv[i] > 1e-9), float(con["max_skus"]),
           "max_skus")
    return bad


def solve(R, lp_dir=None):
    prob, x, y, load = build(R)
    if lp_dir:
        prob.writeLP(os.path.join(lp_dir, R["name"] + ".lp"))
    prob.solve(pulp.COIN_CMD(path=CBC, msg=False, gapRel=0, gapAbs=0))
    st = pulp.LpStatus[prob.status]
    out = {"name": R["name"], "status": st.lower(),
           "objective_kind": R["objective"]}
    if st != "Optimal":
        return out
    per = {s["id"]: (1.0 / s["cps"] if R["granularity"] == "card" else 1.0)
           for s in R["skus"]}
    servers = {}
    for (sid, pool), v in y.items():
        val = v.varValue or 0.0
        if R["granularity"] != "fractional":
            val = round(val)  # CBC's integers, within its tolerance
        servers[(sid, pool)] = val * per[sid]
    # fractions below CBC's tolerance are noise (1e-12 of a cell on a pool
    # of 0 servers): read as 0
    frac = {k: (v.varValue if v.varValue and v.varValue > 1e-9 else 0.0)
            for k, v in x.items()}
    out["objective"] = (objective_of(R, servers)
                        if R["granularity"] != "fractional" else
                        pulp.value(prob.objective))
    out["cbc_objective"] = pulp.value(prob.objective)
    out["check"] = check(R, servers, frac, load)
    pools = {}
    for (sid, pool), val in servers.items():
        if val:
            pools.setdefault(sid, {})[pool] = val
    out["servers"] = pools
    split = {}
    for key, v in frac.items():
        if v > 1e-9:
            split.setdefault("%s/%s/%s" % key[:3], {})[key[3]] = v
    out["split"] = split
    return out


def main(argv):
    args = argv[1:]
    opts = {"--catalog": None, "--scenario": None, "--lp": None}
    quiet = False
    plan = None
    i = 0
    while i < len(args):
        a = args[i]
        if a in opts and i + 1 < len(args):
            opts[a] = args[i + 1]
            i += 2
            continue
        if a == "--quiet":
            quiet = True
        elif plan is None and not a.startswith("-"):
            plan = a
        else:
            sys.stderr.write(__doc__)
            return 2
        i += 1
    if plan is None:
        sys.stderr.write(__doc__)
        return 2
    catalog_dir = (opts["--catalog"] or os.environ.get("HETPLAN_CATALOG") or
                   "devices")
    try:
        doc = load_yaml(plan)
        cat = load_catalog(catalog_dir)
        defaults = doc.get("defaults") or {}
        scs = doc.get("scenarios") or [{"name": doc.get("name", "plan")}]
        out = {"plan": plan, "pulp": pulp.__version__, "scenarios": []}
        for sc in scs:
            if opts["--scenario"] and sc["name"] != opts["--scenario"]:
                continue
            full = merge(defaults, sc)
            full["name"] = sc["name"]
            R = resolve(full, cat, os.path.dirname(plan) or ".", catalog_dir)
            out["scenarios"].append(solve(R, opts["--lp"]))
    except PlanError as e:
        sys.stderr.write("services_reference: %s\n" % e)
        return 3
    if quiet:
        for s in out["scenarios"]:
            print("%s\t%s\t%s%s" % (s["name"], s["status"],
                                    repr(s.get("objective")),
                                    "\tVIOLATES " + "; ".join(s["check"])
                                    if s.get("check") else ""))
    else:
        json.dump(out, sys.stdout, indent=1, sort_keys=True)
        sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
