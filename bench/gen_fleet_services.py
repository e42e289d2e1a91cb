#!/usr/bin/python3
"""gen_fleet_services.py - writes the throughput rows of
plans/fleet-2025-services.yaml (plans/fleet-2025-services/*.yaml).

  gen_fleet_services.py [OUTDIR]      default: plans/fleet-2025-services

Run from the repository root. The rows are ESTIMATES (E), not benchmarks:
one simple, stated formula per phase over the catalog's datasheet figures,
so that a plan whose every cell is a `throughput:` row can be solved by the
independent reference (bench/services_reference.py), which does not
reimplement hetplan's roofline. A buyer replaces them with the tokens/s
their own serving stack measures. Each row's `source` names the formula
and its inputs.

Per card of SKU j (peak = fp8_tflops for fp8 weights when the card has
it, else fp16_tflops; MFU 0.5 and MBU 0.8, hetplan's defaults):
- prefill, requests/s = peak x MFU / (2 x active_params x input_tokens):
  compute-bound batched prompts (attention FLOPs left out). Its TTFT on
  the instance, 2 x active x input / (g x peak x MFU), must meet the SLO.
- decode: an instance of g cards (a power of two; above cards_per_server
  it spans g / cards_per_server servers) holds the weights in 90% of its
  memory plus B requests' KV cache at full length; one step reads the
  weights touched (dense: all; MoE: the active part plus the experts that B
  tokens touch, 1 - (1 - k/E)^B of the expert part) and B contexts of
  (input + output/2) tokens at g x bandwidth x MBU, and is at least the
  step's FLOPs at g x peak x MFU. B is the largest batch (<= 256) whose
  step meets the TPOT SLO and whose KV fits; output tokens/s = B / step.
  The g with the most tokens/s per card is kept.
- colocated: one server alternates prefill and decode, so its requests/s
  is 1 / (1 / prefill + 1 / decode) (no chunked-prefill overlap).
Rows are per card (`per: card`); hetplan multiplies by cards_per_server.
"""
import os
import re
import sys

import yaml

class Loader(yaml.SafeLoader):
    """YAML 1.2 numbers: PyYAML (YAML 1.1) reads 671e9 and 3.0e12 as strings."""


Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"""^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?|\.[0-9_]+)
                   (?:[eE][-+]?[0-9]+)?$|^[-+]?\.(?:inf|Inf|INF)$
                   |^\.(?:nan|NaN|NAN)$""", re.X),
    list("-+0123456789."))


MFU, MBU, MEM_FRACTION = 0.5, 0.8, 0.9
BYTES = {"fp32": 4, "fp16": 2, "bf16": 2, "fp8": 1, "int8": 1, "fp4": 0.5,
         "int4": 0.5}

# The 2024 catalog: the cards of plans/doubao-mix-2024.yaml.
DEVICES = ["nvidia-h20", "nvidia-l20", "huawei-ascend-910b2",
           "huawei-ascend-910b3", "huawei-ascend-910b4", "huawei-ascend-910c",
           "cambricon-mlu370-x8", "cambricon-mlu590", "hygon-k100-ai",
           "hygon-bw200", "kunlunxin-p800", "metax-c550",
           "mthreads-mtt-s4000", "iluvatar-bi-v150"]

# service -> (model, weight dtype, classes: name, in, out, ttft_ms, tpot_ms)
# (kept in step with plans/fleet-2025-services.yaml by hand)
SERVICES = {
    "chat": ("deepseek-v3", "fp8", [("chat", 1200, 300, 2000, 50),
                                    ("doc", 6000, 400, 5000, 50)]),
    "small": ("qwen3-32b", "bf16", [("short", 500, 200, 1000, 30)]),
    "vision": ("qwen3-30b-a3b", "bf16", [("image", 1300, 60, 1000, 50)]),
}


def load(path):
    with open(path) as f:
        return yaml.load(f, Loader=Loader)


def kv_per_token(m):
    b = BYTES[m.get("kv_dtype", "bf16")]
    if m.get("kv_lora_rank"):
        return (m["kv_lora_rank"] + m["qk_rope_head_dim"]) * m["layers"] * b
    return 2 * m["layers"] * m["kv_heads"] * m["head_dim"] * b


def peak_flops(dev, wdtype):
    if wdtype == "fp8" and dev.get("fp8_tflops"):
        return dev["fp8_tflops"] * 1e12
    return dev["fp16_tflops"] * 1e12


def prefill_per_card(dev, m, wdtype, k):
    active = m.get("active_params", m["params"])
    return peak_flops(dev, wdtype) * MFU / (2 * active * k[1])


def decode_per_card(dev, m, wdtype, k):
    """Best output tokens/s per card and the instance size, or (0, None)."""
    params = m["params"]
    active = m.get("active_params", params)
    wb = BYTES[wdtype]
    w = params * wb
    kv = kv_per_token(m)
    ctx = k[1] + k[2] / 2.0
    full = k[1] + k[2]
    tpot = k[4] / 1000.0
    best = (0.0, None)
    g = 1
    while g <= 256:
        mem = g * dev["memory_gb"] * 1e9 * MEM_FRACTION
        bw = g * dev["memory_bw_tbps"] * 1e12 * MBU
        fl = g * peak_flops(dev, wdtype) * MFU
        room = mem - w
        if room > 0:
            ttft = 2 * active * k[1] / fl
            for b in range(256, 0, -1):
                if b * full * kv > room:
                    continue
                if m.get("experts"):
                    e, kk = m["experts"], m["experts_per_token"]
                    touched = 1 - (1 - kk / e) ** b
                    wread = active * wb + (w - active * wb) * touched
                else:
                    wread = w
                step = max((wread + b * ctx * kv) / bw, 2 * active * b / fl)
                if step <= tpot and ttft <= k[3] / 1000.0:
                    tps = b / step / g
                    if tps > best[0]:
                        best = (tps, g)
                    break
        g *= 2
    return best


def rows_for(devs, models, disaggregated):
    out = []
    for sname, (mname, wdtype, classes) in SERVICES.items():
        m = models[mname]
        for k in classes:
            for did in DEVICES:
                dev = devs[did]
                p = prefill_per_card(dev, m, wdtype, k)
                dtok, g = decode_per_card(dev, m, wdtype, k)
                if g is None:
                    raise SystemExit("%s/%s on %s: no instance meets the SLOs"
                                     % (sname, k[0], did))
                d = dtok / k[2]
                src = ("E: bench/gen_fleet_services.py from %s datasheet "
                       "figures, MFU 0.5, MBU 0.8" % did)
                if disaggregated and sname == "chat":
                    out.append((sname, k[0], did, "prefill", p * k[1],
                                src + "; prefill compute-bound"))
                    out.append((sname, k[0], did, "decode", dtok,
                                src + "; decode on %d-card instances, TPOT "
                                "%d ms" % (g, k[4])))
                else:
                    col = 1 / (1 / p + 1 / d)
                    out.append((sname, k[0], did, None, col * (k[1] + k[2]),
                                src + "; colocated, decode on %d-card "
                                "instances, TPOT %d ms" % (g, k[4])))
    return out


def write(path, rows, title):
    with open(path, "w") as f:
        f.write("# %s\n# Written by bench/gen_fleet_services.py (do not edit "
                "by hand: rerun it).\n# ESTIMATES (E), not benchmarks: the "
                "script's docstring gives the\n# formulas. tokens_per_s per "
                "card: input + output tokens/s for a colocated\n# cell, input "
                "tokens/s for prefill, output tokens/s for decode.\n" % title)
        for (s, k, did, ph, tps, src) in rows:
            phs = ", phase: %s" % ph if ph else ""
            f.write("- {service: %s, class: %s, device: %s%s, per: card,\n"
                    "   tokens_per_s: %.6g,\n   source: \"%s\"}\n"
                    % (s, k, did, phs, tps, src))


def main(argv):
    out = argv[1] if len(argv) > 1 else "plans/fleet-2025-services"
    devs = {d: load("devices/%s.yaml" % d) for d in DEVICES}
    models = {m: load("models/%s.yaml" % m)
              for m in {v[0] for v in SERVICES.values()}}
    os.makedirs(out, exist_ok=True)
    write(os.path.join(out, "throughput-colocated.yaml"),
          rows_for(devs, models, False),
          "plans/fleet-2025-services.yaml: every service colocated")
    write(os.path.join(out, "throughput-disaggregated.yaml"),
          rows_for(devs, models, True),
          "plans/fleet-2025-services.yaml: chat disaggregated (prefill and "
          "decode pools), small and vision colocated")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
