#!/bin/sh
# probe_bench.sh [HETPLAN] - runs `hetplan probe`, clpeak and an OpenBLAS
# SGEMM on this host in one go and prints each figure and the ratios that
# issue 4 sets as targets (on a PoCL CPU device: probe fp32 roof >= 0.8 x
# OpenBLAS SGEMM, probe memory bandwidth >= 0.9 x clpeak's best global
# bandwidth, whole probe <= 10 s with a warm kernel cache).
# Needs: clpeak and libopenblas-dev (HETPLAN_BENCH_DEPS=1
# scripts/install-deps.sh), a built hetplan (default build/hetplan).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
HP=${1:-$HERE/../build/hetplan}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

if [ ! -x "$HP" ]; then
  echo "probe_bench: no hetplan at $HP (build first, or pass its path)" >&2
  exit 2
fi
for tool in clpeak cc python3; do
  command -v "$tool" >/dev/null || { echo "probe_bench: needs $tool" >&2; exit 2; }
done

# 1. hetplan probe, twice: the first run fills PoCL's kernel cache
#    (~/.cache/pocl), the second is the timed one.
"$HP" probe --format json -o "$TMP/warm.json" 2>/dev/null || true
t0=$(date +%s.%N)
"$HP" probe --format json -o "$TMP/probe.json" 2>"$TMP/probe.err" || true
t1=$(date +%s.%N)
probe_s="$t0 $t1"

# 2. clpeak: only the parts that compare (it takes ~49 s for everything).
t0=$(date +%s.%N)
clpeak --global-bandwidth --compute-sp >"$TMP/clpeak.txt" 2>&1 || true
t1=$(date +%s.%N)
clpeak_s="$t0 $t1"

# 3. OpenBLAS SGEMM on the host CPU.
cc -O2 -o "$TMP/sgemm" "$HERE/sgemm_openblas.c" -lopenblas
"$TMP/sgemm" 2048 5 >"$TMP/sgemm.txt"

python3 - "$TMP/probe.json" "$TMP/clpeak.txt" "$TMP/sgemm.txt" \
  "$probe_s" "$clpeak_s" <<'PY'
import json, re, sys
probe = json.load(open(sys.argv[1]))
clp = open(sys.argv[2]).read()
blas = float(open(sys.argv[3]).read().split()[1])
span = lambda s: float(s.split()[1]) - float(s.split()[0])
probe_s, clpeak_s = span(sys.argv[4]), span(sys.argv[5])

def clpeak_best(section):
    m = re.search(section + r".*?\n((?:\s+\w+\s*:\s*[\d.]+\n)+)", clp, re.S)
    vals = [float(v) for v in re.findall(r":\s*([\d.]+)", m.group(1))] if m else []
    return max(vals) if vals else None

clp_bw = clpeak_best("Global memory bandwidth")
clp_sp = clpeak_best("Single-precision compute")
print("whole probe (warm kernel cache): %.2f s   clpeak (2 tests): %.2f s" %
      (probe_s, clpeak_s))
print("OpenBLAS SGEMM n=2048 on the host: %.1f GFLOPS" % blas)
print("clpeak best: global bandwidth %s GB/s, fp32 compute %s GFLOPS" %
      (clp_bw, clp_sp))
for d in probe["devices"]:
    print("\ndevice %s: %s (%s)" % (d["id"], d["name"], d["class"]))
    for k, unit in (("fp32_gflops", "GFLOPS"), ("fp16_gflops", "GFLOPS"),
                    ("fp64_gflops", "GFLOPS"), ("mem_bw_gbps", "GB/s"),
                    ("h2d_gbps", "GB/s"), ("d2h_gbps", "GB/s"),
                    ("launch_us", "us"), ("sgemm_gflops", "GFLOPS"),
                    ("hgemm_gflops", "GFLOPS")):
        v = d.get(k)
        st = d["status"][k]["status"]
        print("  %-14s %12s %-7s %s" % (k, "%.2f" % v if v is not None else "-",
                                        unit, st))
    if d["class"] == "cpu":
        def ratio(a, b, name, target):
            if a is None or not b:
                print("  %-40s n/a" % name)
            else:
                r = a / b
                print("  %-40s %.2f (target >= %.2f: %s)" %
                      (name, r, target, "met" if r >= target else "NOT met"))
        ratio(d.get("fp32_gflops"), blas, "fp32 roof / OpenBLAS SGEMM", 0.8)
        ratio(d.get("mem_bw_gbps"), clp_bw, "mem bw / clpeak global bw", 0.9)
        ratio(d.get("fp32_gflops"), clp_sp, "fp32 roof / clpeak fp32", 1.0)
        ratio(d.get("sgemm_gflops"), blas, "CLBlast SGEMM / OpenBLAS SGEMM", 0)
print("\nwhole probe <= 10 s: %s" % ("met" if probe_s <= 10 else "NOT met"))
PY
