#!/bin/sh
# probe_bench.sh [HETPLAN] - runs `hetplan probe`, clpeak and an OpenBLAS
# SGEMM on this host in one go and prints each figure and the ratios that
# issue 4 sets as targets (on a PoCL CPU device: probe fp32 roof >= 0.8 x
# OpenBLAS SGEMM, probe memory bandwidth >= 0.9 x clpeak's best global
# bandwidth, whole probe <= 10 s with a warm kernel cache).
# Needs: clpeak and libopenblas-dev (HETPLAN_BENCH_DEPS=1
# scripts/install-deps.sh), a built hetplan (default build/hetplan).
#
# probe_bench.sh --ab OLD NEW [ROUNDS] [PROBE ARGS...] - runs two hetplan
# builds' `probe --format json` alternately ROUNDS times (default 4) under
# /usr/bin/time and prints each figure's median, and the peak resident
# memory, of each: how issue 19 checked that smaller buffers did not lower
# the figures (docs/probe.md).
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
if [ "${1:-}" = "--ab" ]; then
  OLD=$2 NEW=$3 ROUNDS=${4:-4}
  for tool in /usr/bin/time python3; do # GNU time: apt-get install time
    command -v "$tool" >/dev/null || { echo "probe_bench: needs $tool" >&2; exit 2; }
  done
  shift 3; [ $# -gt 0 ] && shift
  TMP=$(mktemp -d)
  trap 'rm -rf "$TMP"' EXIT
  "$OLD" probe "$@" >/dev/null 2>&1 || true # warm PoCL's kernel cache
  "$NEW" probe "$@" >/dev/null 2>&1 || true
  i=0
  while [ $i -lt "$ROUNDS" ]; do
    for which in old new; do
      [ $which = old ] && bin=$OLD || bin=$NEW
      /usr/bin/time -f %M -o "$TMP/$which.$i.rss" "$bin" probe "$@" \
        --format json -o "$TMP/$which.$i.json" 2>/dev/null || true
    done
    i=$((i + 1))
  done
  python3 - "$TMP" "$ROUNDS" <<'PY'
import json, statistics, sys
tmp, rounds = sys.argv[1], int(sys.argv[2])
keys = (("fp32_gflops", "GFLOPS"), ("fp64_gflops", "GFLOPS"),
        ("mem_bw_gbps", "GB/s"), ("h2d_gbps", "GB/s"), ("d2h_gbps", "GB/s"),
        ("launch_us", "us"), ("sgemm_gflops", "GFLOPS"))
runs = {w: [json.load(open("%s/%s.%d.json" % (tmp, w, i)))["devices"][0]
            for i in range(rounds)] for w in ("old", "new")}
rss = {w: [int(open("%s/%s.%d.rss" % (tmp, w, i)).read().split()[-1]) / 1024
           for i in range(rounds)] for w in ("old", "new")}
print("%-14s %-7s %12s %12s %8s   (median of %d alternated runs; each run's figures)"
      % ("figure", "unit", "old", "new", "change", rounds))
for k, u in keys:
    o = [d[k] for d in runs["old"] if d.get(k) is not None]
    n = [d[k] for d in runs["new"] if d.get(k) is not None]
    if not o or not n:
        print("%-14s %-7s %12s %12s" % (k, u, "-", "-")); continue
    mo, mn = statistics.median(o), statistics.median(n)
    print("%-14s %-7s %12.2f %12.2f %+7.1f %%   old %s  new %s" % (
        k, u, mo, mn, (mn / mo - 1) * 100,
        " ".join("%.2f" % v for v in o), " ".join("%.2f" % v for v in n)))
    if k == "mem_bw_gbps":
        print("%-14s %-7s %12s %12s" % ("  detail", "", runs["old"][0]["status"][k].get("detail", ""), runs["new"][0]["status"][k].get("detail", "")))
print("%-14s %-7s %12.0f %12.0f            old %s  new %s" % (
    "peak RSS", "MiB", max(rss["old"]), max(rss["new"]),
    " ".join("%.0f" % v for v in rss["old"]),
    " ".join("%.0f" % v for v in rss["new"])))
PY
  exit 0
fi
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
