#!/usr/bin/env bash
# One command from a fresh Debian machine to a tested tree: installs the
# missing packages, builds, runs the default plan and the whole test suite,
# then the suite again under AddressSanitizer + UndefinedBehaviorSanitizer
# and once under valgrind memcheck (issue 7).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
./build/hetplan plan plans/doubao-minsheng-2024.yaml > /dev/null
echo "== tests"
(cd build && ctest --output-on-failure -j"$(nproc)")

if [ "${HETPLAN_QUICK:-0}" = 1 ]; then exit 0; fi

echo "== tests under ASan + UBSan"
HETPLAN_BUILD_DIR=build-asan bash scripts/build.sh -DCMAKE_BUILD_TYPE=Debug \
  -DHETPLAN_ASAN=ON -DHETPLAN_UBSAN=ON
# PoCL's own runtime is not built with ASan; its tests run in the main pass.
(cd build-asan && ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --output-on-failure -j"$(nproc)" -LE opencl)

echo "== tests under valgrind memcheck"
vg=(valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite)
for t in build/tests/test_*; do
  [ -x "$t" ] || continue
  "${vg[@]}" "$t" > "build/$(basename "$t").memcheck.log" 2>&1 \
    || { echo "memcheck: $t failed"; tail -40 "build/$(basename "$t").memcheck.log"; exit 1; }
  echo "memcheck: $(basename "$t") clean"
done
"${vg[@]}" ./build/hetplan plan plans/doubao-minsheng-2024.yaml --format json > /dev/null
echo "memcheck: hetplan plan clean"

echo "== fuzz smoke (libFuzzer, ${FUZZ_SECONDS:-15}s per target)"
FUZZ_SECONDS=${FUZZ_SECONDS:-15} bash tests/fuzz/run.sh
