#!/usr/bin/env bash
# Installs the Debian packages hetplan needs to build, test and benchmark.
# Idempotent: asks apt only for what is missing. Runs as root (CI) or via sudo.
set -euo pipefail

PKGS=(
  build-essential cmake pkg-config
  libyaml-dev            # plan, device and profile files
  libglpk-dev            # the integer program
  coinor-libcbc-dev      # second solver, CBC (solver.engine cbc, auto)
  libjansson-dev         # JSON writing (number formatting, escaping)
  libxlsxwriter-dev      # Excel workbooks (-o FILE.xlsx)
  python3-openpyxl       # tests: read the workbooks back (tests/report/)
  chromium               # tests: load the HTML reports headless, print to PDF
  libcmocka-dev          # unit tests
  glpk-utils coinor-cbc  # tests: the LP export solved by glpsol and cbc
  ocl-icd-opencl-dev opencl-headers ocl-icd-libopencl1 # Khronos ICD loader
  pocl-opencl-icd        # CPU OpenCL device for tests and CI
  libclblast-dev         # GEMM on OpenCL devices
  libcairo2-dev          # charts (PNG, SVG)
  valgrind               # memcheck run in CI
  jq                     # CLI tests read JSON reports back (tests/cli/escape.sh)
  clang libclang-rt-14-dev # libFuzzer targets (tests/fuzz)
)
# Extra packages used only by bench/ programs (reference implementations).
BENCH_PKGS=(python3-pulp python3-yaml coinor-cbc clpeak libopenblas-dev time)

want=("${PKGS[@]}")
if [ "${HETPLAN_BENCH_DEPS:-0}" = 1 ]; then want+=("${BENCH_PKGS[@]}"); fi

missing=()
for p in "${want[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#want[@]} packages present"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
