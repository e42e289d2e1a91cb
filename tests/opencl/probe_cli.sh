#!/bin/sh
# probe_cli.sh HETPLAN DATA_DIR [HAVE_OPENCL] - `hetplan probe` end to end: the fake
# backend (table, JSON, YAML round trip, --compare), usage errors, a bad
# --compare or --fake-file (exit 3, file:line:col), --compare matching by
# name, a measured profile's errors through `hetplan plan`, JSON reports read
# back, -o's extension picking the format, --opt=value, -o kept when nothing
# is measured, and, when the build has OpenCL, the documented message and
# exit 7 for a host with no platform (OCL_ICD_VENDORS = an empty directory).
set -u
HP=$1
DATA=$2
HAVE_OPENCL=${3:-0}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail=0
check() { # check NAME EXPECTED_EXIT ACTUAL_EXIT
  if [ "$2" != "$3" ]; then
    echo "FAIL $1: exit $3, expected $2"
    fail=1
  else
    echo "ok   $1"
  fi
}
contains() { # contains NAME FILE TEXT
  if grep -qF -- "$3" "$2"; then echo "ok   $1"; else
    echo "FAIL $1: '$3' not in $2:"; cat "$2"; fail=1; fi
}

"$HP" probe --backend fake --fake-file "$DATA/two_devices.yaml" \
  >"$TMP/t.txt" 2>"$TMP/t.err"
check fake-table 0 $?
contains fake-table-unit "$TMP/t.txt" "fp32_gflops          63707.00 GFLOPS  ok"
contains fake-table-error "$TMP/t.err" \
  "device 1:0 (pthread-skylake-avx512-Intel(R) Xeon(R) Processor): hgemm_gflops: kernel build failed"

"$HP" probe --fake-file "$DATA/two_devices.yaml" --format json \
  >"$TMP/t.json" 2>/dev/null
check fake-json 0 $?
for k in '"id": "0:0"' '"class": "gpu"' '"fp32_gflops": 63707' \
  '"hgemm_gflops": null' '"mem_bw_gbps": 2982' '"launch_us": 10.8' \
  '"status": "unsupported"'; do
  contains "fake-json $k" "$TMP/t.json" "$k"
done

"$HP" probe --fake-file "$DATA/two_devices.yaml" --device 0:0 \
  --format yaml -o "$TMP/p.yaml" 2>/dev/null
check fake-yaml-save 0 $?
contains fake-yaml-schema "$TMP/p.yaml" "schema_version: 1"
"$HP" probe --fake-file "$TMP/p.yaml" --compare "$DATA/two_devices.yaml" \
  >"$TMP/c.txt" 2>/dev/null
check compare 0 $?
contains compare-row "$TMP/c.txt" \
  "fp32_gflops         63707.00 GFLOPS      63707.00 GFLOPS     +0.0 %"

"$HP" probe --fake-file "$DATA/two_devices.yaml" --device 7:7 \
  >/dev/null 2>"$TMP/e.txt"
check unknown-device 2 $?
contains unknown-device-msg "$TMP/e.txt" "no device '7:7' (found: 0:0 1:0)"

"$HP" probe --format xml >/dev/null 2>"$TMP/e.txt"
check bad-format 2 $?

"$HP" probe --fake-file "$DATA/two_devices.yaml" \
  --compare "$DATA/bad_unit.yaml" >/dev/null 2>"$TMP/e.txt"
check bad-compare 3 $?
contains bad-compare-msg "$TMP/e.txt" "bad_unit.yaml:11:"

# Every defect below is one check that failed before its fix.
lacks() { # lacks NAME FILE TEXT
  if grep -qF -- "$3" "$2"; then echo "FAIL $1: '$3' in $2:"; cat "$2"; fail=1
  else echo "ok   $1"; fi
}

# 1. A bad --fake-file is bad input (3) with file:line:col, as --compare is.
for f in bad_status:11:57 bad_unit:11:39 bad_unknown_key:10:5 bad_value:11:20; do
  "$HP" probe --fake-file "$DATA/${f%%:*}.yaml" >/dev/null 2>"$TMP/e.txt"
  check "bad-fake-file ${f%%:*}" 3 $?
  contains "bad-fake-file-pos ${f%%:*}" "$TMP/e.txt" "${f%%:*}.yaml:${f#*:}: "
done
"$HP" probe --fake-file "$DATA/no_such_file.yaml" >/dev/null 2>"$TMP/e.txt"
check missing-fake-file 3 $?
"$HP" probe --backend fake >/dev/null 2>"$TMP/e.txt"
check fake-without-file 2 $?

# 2. --compare matches devices by name: a PoCL CPU profile (id 0:0) is not
# the H100 of h100_probe.yaml (id 0:0).
"$HP" probe --fake-file "$DATA/h100_probe.yaml" \
  --compare "$DATA/pocl_cpu.yaml" >"$TMP/c.txt" 2>"$TMP/e.txt"
check compare-other-hw 0 $?
contains compare-other-hw-msg "$TMP/c.txt" \
  "device 0:0: NVIDIA H100 80GB HBM3: no device named 'NVIDIA H100 80GB HBM3' in $DATA/pocl_cpu.yaml: not compared"
contains compare-other-hw-missing "$TMP/c.txt" \
  "old device 0:0: pthread-skylake-avx512-Intel(R) Xeon(R) Processor: not in the new profile: not compared"
lacks compare-other-hw-no-pct "$TMP/c.txt" "%"
"$HP" probe --fake-file "$DATA/h100_probe.yaml" --format json \
  --compare "$DATA/pocl_cpu.yaml" >"$TMP/c.json" 2>/dev/null
check compare-other-hw-json 0 $?
contains compare-json-new "$TMP/c.json" '"match": "not_in_old"'
contains compare-json-missing "$TMP/c.json" '"match": "not_in_new"'
lacks compare-json-no-pct "$TMP/c.json" '"change_pct"'
# Renumbered devices (ids swapped) are still matched by name.
sed -e 's/id: "0:0"/id: "X"/' -e 's/id: "1:0"/id: "0:0"/' -e 's/id: "X"/id: "1:0"/' \
  "$DATA/two_devices.yaml" >"$TMP/swapped.yaml"
"$HP" probe --fake-file "$DATA/two_devices.yaml" --compare "$TMP/swapped.yaml" \
  >"$TMP/c.txt" 2>/dev/null
check compare-renumbered 0 $?
contains compare-renumbered-h100 "$TMP/c.txt" \
  "device 0:0: NVIDIA H100 80GB HBM3 (old: 1:0)"
lacks compare-renumbered-none-missing "$TMP/c.txt" "not compared"

# 3. A measured profile that lacks a figure: the error names the profile
# (file:line:col of the device), through `hetplan plan` too.
cat >"$TMP/plan.yaml" <<EOF
name: measured
defaults:
  workload: {model: {params: 7e10}, tokens_per_day: 8.64e9}
  devices: [nvidia-h100]
scenarios:
  - name: m
    measured: {nvidia-h100: prof.yaml}
EOF
CAT="$DATA/../../../devices"
cp "$DATA/nothing_measured.yaml" "$TMP/prof.yaml"
"$HP" plan "$TMP/plan.yaml" --catalog "$CAT" >/dev/null 2>"$TMP/e.txt"
check measured-no-gemm 3 $?
contains measured-no-gemm-msg "$TMP/e.txt" \
  "prof.yaml:7:1: no device in the probe profile has a measured GEMM"
cp "$DATA/no_gemm.yaml" "$TMP/prof.yaml"
"$HP" plan "$TMP/plan.yaml" --catalog "$CAT" >/dev/null 2>"$TMP/e.txt"
check measured-no-bw 3 $?
contains measured-no-bw-msg "$TMP/e.txt" \
  "prof.yaml:16:5: device 1:0: the profile has no ok mem_bw_gbps"

# 3b. A profile stands in for a card only if it was measured on that card:
# a CPU device (PoCL on a CI host) or another vendor's device is refused
# with the device and the card named; without a device named, the first
# device that is not a CPU and has a GEMM is used; a plan can name the
# device ({file, device}).
awk '/^  - id: "1:0"/ { on = 1 } on' "$DATA/two_devices.yaml" >"$TMP/cpu_devs.yaml"
{ sed -n '1,/^devices:/p' "$DATA/two_devices.yaml"; cat "$TMP/cpu_devs.yaml"; \
  sed -n '/^  - id: "0:0"/,/^  - id: "1:0"/p' "$DATA/two_devices.yaml" | sed '$d'; } \
  >"$TMP/cpu_first.yaml"
cp "$TMP/cpu_first.yaml" "$TMP/prof.yaml"
"$HP" explain "$TMP/plan.yaml" --catalog "$CAT" --device nvidia-h100 \
  >"$TMP/x.txt" 2>"$TMP/e.txt"
check measured-skips-cpu 0 $?
contains measured-skips-cpu-mfu "$TMP/x.txt" "MFU 0.54 (measured)"
{ sed -n '1,/^devices:/p' "$DATA/two_devices.yaml"; cat "$TMP/cpu_devs.yaml"; } \
  >"$TMP/prof.yaml"
"$HP" plan "$TMP/plan.yaml" --catalog "$CAT" >/dev/null 2>"$TMP/e.txt"
check measured-cpu-only 3 $?
contains measured-cpu-only-msg "$TMP/e.txt" \
  "device 1:0 of the probe profile ('pthread-skylake-avx512-Intel(R) Xeon(R) Processor', vendor 'GenuineIntel') is a CPU (OpenCL class cpu): a measured profile stands in for nvidia-h100"
sed "s|measured: {nvidia-h100: prof.yaml}|measured: {nvidia-h100: {file: $DATA/two_devices.yaml, device: '1:0'}}|" \
  "$TMP/plan.yaml" >"$TMP/plan_dev.yaml"
"$HP" plan "$TMP/plan_dev.yaml" --catalog "$CAT" >/dev/null 2>"$TMP/e.txt"
check measured-named-cpu 3 $?
contains measured-named-cpu-msg "$TMP/e.txt" "is a CPU (OpenCL class cpu)"
sed "s|device: '1:0'|device: '0:0'|" "$TMP/plan_dev.yaml" >"$TMP/plan_dev0.yaml"
"$HP" explain "$TMP/plan_dev0.yaml" --catalog "$CAT" --device nvidia-h100 \
  >"$TMP/x.txt" 2>"$TMP/e.txt"
check measured-named-gpu 0 $?
contains measured-named-gpu-mfu "$TMP/x.txt" "MFU 0.54 (measured)"
sed "s/nvidia-h100/huawei-ascend-910c/g" "$TMP/plan_dev0.yaml" >"$TMP/plan_hw.yaml"
"$HP" plan "$TMP/plan_hw.yaml" --catalog "$CAT" >/dev/null 2>"$TMP/e.txt"
check measured-other-vendor 3 $?
contains measured-other-vendor-msg "$TMP/e.txt" \
  "device 0:0 of the probe profile ('NVIDIA H100 80GB HBM3', vendor 'NVIDIA Corporation') is not of the card's vendor: a measured profile stands in for huawei-ascend-910c"

# 4a. A JSON report reads back as a profile: --compare, --fake-file and a
# plan's measured: accept it.
"$HP" probe --fake-file "$DATA/h100_probe.yaml" --format json \
  -o "$TMP/h.json" 2>/dev/null
check json-save 0 $?
"$HP" probe --fake-file "$DATA/h100_probe.yaml" --compare "$TMP/h.json" \
  >"$TMP/c.txt" 2>"$TMP/e.txt"
check json-compare 0 $?
contains json-compare-row "$TMP/c.txt" \
  "sgemm_gflops        34248.23 GFLOPS      34248.23 GFLOPS     +0.0 %"
"$HP" probe --fake-file "$TMP/h.json" --format yaml -o "$TMP/h.yaml" 2>/dev/null
check json-as-fake-file 0 $?
contains json-as-fake-file-reason "$TMP/h.yaml" \
  'reason: "CLBlast refuses half precision'
cp "$TMP/h.json" "$TMP/prof.yaml"
"$HP" explain "$TMP/plan.yaml" --catalog "$CAT" --device nvidia-h100 \
  >"$TMP/x.txt" 2>"$TMP/e.txt"
check json-measured 0 $?
contains json-measured-mfu "$TMP/x.txt" "MFU 0.54 (measured)"

# 4b. Without --format, -o's extension picks the format.
"$HP" probe --fake-file "$DATA/two_devices.yaml" -o "$TMP/o.yaml" 2>/dev/null
check ext-yaml 0 $?
contains ext-yaml-head "$TMP/o.yaml" "# hetplan probe profile"
"$HP" probe --fake-file "$DATA/two_devices.yaml" -o "$TMP/o.YML" 2>/dev/null
contains ext-yml-head "$TMP/o.YML" "schema_version: 1"
"$HP" probe --fake-file "$DATA/two_devices.yaml" -o "$TMP/o.json" 2>/dev/null
contains ext-json "$TMP/o.json" '"schema_version": 1'
"$HP" probe --fake-file "$DATA/two_devices.yaml" -o "$TMP/o.txt" 2>/dev/null
contains ext-other-table "$TMP/o.txt" "fp32_gflops          63707.00 GFLOPS  ok"
"$HP" probe --fake-file "$DATA/two_devices.yaml" --format table \
  -o "$TMP/t.yaml" 2>/dev/null
contains ext-format-wins "$TMP/t.yaml" "fp32_gflops          63707.00 GFLOPS  ok"
"$HP" probe --fake-file "$DATA/two_devices.yaml" \
  --compare "$DATA/two_devices.yaml" -o "$TMP/cmp.json" >"$TMP/c.txt" 2>/dev/null
check ext-compare-json 0 $?
contains ext-compare-json-saved "$TMP/cmp.json" '"schema_version": 1'
contains ext-compare-stdout-table "$TMP/c.txt" "comparing "

# 5. --fake-file with --backend opencl is a usage error; --opt=value works;
# -o is not written (and an earlier file is kept) when nothing was measured.
"$HP" probe --backend opencl --fake-file "$DATA/two_devices.yaml" \
  >/dev/null 2>"$TMP/e.txt"
check fake-file-with-opencl 2 $?
contains fake-file-with-opencl-msg "$TMP/e.txt" \
  "--fake-file is only for --backend fake"
"$HP" probe --fake-file="$DATA/two_devices.yaml" --format=json --device=0:0 \
  --output="$TMP/eq.json" 2>/dev/null
check opt-equals 0 $?
contains opt-equals-json "$TMP/eq.json" '"id": "0:0"'
lacks opt-equals-device "$TMP/eq.json" '"id": "1:0"'
"$HP" probe --fake-file "$DATA/two_devices.yaml" stray >/dev/null 2>"$TMP/e.txt"
check stray-argument 2 $?
echo "earlier" >"$TMP/keep.yaml"
"$HP" probe --fake-file "$DATA/nothing_measured.yaml" -o "$TMP/keep.yaml" \
  >/dev/null 2>"$TMP/e.txt"
check nothing-measured 7 $?
contains nothing-measured-kept "$TMP/keep.yaml" "earlier"
contains nothing-measured-msg "$TMP/e.txt" "not written"
"$HP" probe --fake-file "$DATA/nothing_measured.yaml" >"$TMP/n.txt" 2>/dev/null
check nothing-measured-stdout 7 $?
contains nothing-measured-stdout-table "$TMP/n.txt" "kernel build failed"

if [ "$HAVE_OPENCL" = 1 ]; then
  mkdir -p "$TMP/empty"
  OCL_ICD_VENDORS="$TMP/empty" "$HP" probe >/dev/null 2>"$TMP/n.txt"
  check no-platform 7 $?
  contains no-platform-msg "$TMP/n.txt" \
    "hetplan: probe: no opencl device found: no OpenCL platform is installed, or none has a device (the ICD loader reads /etc/OpenCL/vendors, or OCL_ICD_VENDORS)"
fi
exit $fail
