#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each for
# FUZZ_SECONDS (default 20: CI's smoke time; use 1800+ for a real session).
# Crashes are written to tests/fuzz/crashes/; add each fixed one to the
# corpus so it is replayed as a regression test on every run.
# usage: tests/fuzz/run.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
SECS=${1:-${FUZZ_SECONDS:-20}}
OUT=build-fuzz
mkdir -p "$OUT" tests/fuzz/crashes
srcs=$(ls src/*.c | grep -v -E 'src/(main|cli_[a-z]+)\.c$')
# cairo is dlopened by src/chart.c: headers only.
libs="$(pkg-config --libs yaml-0.1 jansson xlsxwriter) -lglpk -lm -lpthread -ldl"
flags="-g -O1 -std=c11 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -Isrc -DHP_TEST_DATA=\"$PWD/tests/data\""
if pkg-config --exists cairo; then flags="$flags -DHETPLAN_HAVE_CAIRO=1 $(pkg-config --cflags cairo)"; fi
status=0
for t in plan device profile; do
  clang $flags -o "$OUT/fuzz_$t" "tests/fuzz/fuzz_$t.c" $srcs $libs
  mkdir -p "$OUT/corpus-$t"
  echo "fuzz_$t: ${SECS}s"
  if ! "$OUT/fuzz_$t" -max_total_time="$SECS" -max_len=8192 -timeout=10 \
      -rss_limit_mb=2048 -artifact_prefix=tests/fuzz/crashes/ \
      -print_final_stats=1 "$OUT/corpus-$t" "tests/fuzz/corpus/$t" \
      > "$OUT/fuzz_$t.log" 2>&1; then
    echo "fuzz_$t: FAILED"; tail -40 "$OUT/fuzz_$t.log"; status=1
  fi
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$OUT/fuzz_$t.log" | sed "s/^/  fuzz_$t /"
done
exit $status
