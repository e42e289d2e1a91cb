#!/usr/bin/env bash
# big_catalog.sh - issue 23's large program: a catalog of 300 generated SKUs
# (5 vendors, 2 of them domestic; the generator of tests/test_planner.c's
# node_limited_300_skus, issue 19), a plan with 200 per-SKU caps, a 37%
# domestic share on cards and a 25% max vendor share, at the plans' own
# node limit (solver.node_limit 100,000). Prints the wall and CPU time of
# `hetplan plan` and the first line of its table, which says whether the
# plan is proven optimal or by how much it may miss. Target: ends within
# 60 s with an honest status. Environment: HETPLAN_BUILD_DIR (build/).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
BUILD=${HETPLAN_BUILD_DIR:-build}
[ -x "$BUILD/hetplan" ] || HETPLAN_BUILD_DIR=$BUILD bash scripts/build.sh
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir "$TMP/devices"
python3 - "$TMP" <<'PY'
import random, sys
d = sys.argv[1]
rng = random.Random(19)
vendors = ["Alpha", "Beta", "Gamma", "Delta", "Eps"]
caps = []
for i in range(300):
    cps = rng.randint(1, 8)
    with open(f"{d}/devices/sku-{i:03d}.yaml", "w") as f:
        f.write(f"id: sku-{i:03d}\nvendor: {vendors[i % 5]}\nname: \"SKU {i}\"\n"
                f"domestic: {'true' if i % 5 < 2 else 'false'}\n"
                "memory_gb: 64\nmemory_bw_tbps: 1.0\n"
                f"fp16_tflops: {rng.randint(50, 1000)}\ntdp_w: {rng.randint(200, 900)}\n"
                f"cards_per_server: {cps}\n"
                f"price_server_cny: {rng.randint(100, 4000) * 1000 * cps}\n"
                "price_as_of: 2026-01-01\nsources:\n" +
                "".join(f"  {k}: {{conf: E, ref: \"generated\"}}\n" for k in
                        ["memory_gb", "memory_bw_tbps", "fp16_tflops", "tdp_w",
                         "cards_per_server", "price_server_cny"]))
    if i < 200:
        caps.append(f"sku-{i:03d}: {rng.randint(200, 4000)}")
with open(f"{d}/big.yaml", "w") as f:
    f.write("name: big\ndefaults:\n"
            "  workload: {model: {params: 130e9}, tokens_per_day: 4.0e12,\n"
            "             seconds_per_day: 129600, peak_factor: 4}\n"
            "  mfu: 0.5\n  granularity: server\n  devices: all\n"
            "  constraints:\n"
            "    domestic_share: {min: 0.37, basis: cards}\n"
            "    max_vendor_share: 0.25\n"
            "    caps: {" + ", ".join(caps) + "}\n"
            "scenarios:\n  - name: s\n")
PY
echo "big_catalog: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)," \
     "$(date -u +%Y-%m-%dT%H:%MZ)"
/usr/bin/time -f "%e %U" -o "$TMP/t" "$BUILD/hetplan" plan "$TMP/big.yaml" \
  --catalog "$TMP/devices" >"$TMP/out.txt" 2>"$TMP/err.txt" || true
read -r w u <"$TMP/t"
printf '300 SKUs, 200 caps, vendor share: %.1f s wall, %.1f s cpu\n' "$w" "$u"
head -n 3 "$TMP/out.txt"
grep -a 'not proven' "$TMP/err.txt" || true
