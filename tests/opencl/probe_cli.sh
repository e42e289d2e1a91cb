#!/bin/sh
# probe_cli.sh HETPLAN DATA_DIR [HAVE_OPENCL] - `hetplan probe` end to end: the fake
# backend (table, JSON, YAML round trip, --compare), usage errors, a bad
# --compare file, and, when the build has OpenCL, the documented message and
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

if [ "$HAVE_OPENCL" = 1 ]; then
  mkdir -p "$TMP/empty"
  OCL_ICD_VENDORS="$TMP/empty" "$HP" probe >/dev/null 2>"$TMP/n.txt"
  check no-platform 7 $?
  contains no-platform-msg "$TMP/n.txt" \
    "hetplan: probe: no opencl device found: no OpenCL platform is installed, or none has a device (the ICD loader reads /etc/OpenCL/vendors, or OCL_ICD_VENDORS)"
fi
exit $fail
