#!/bin/sh
# probe_limits.sh HETPLAN - `hetplan probe` on PoCL's CPU device at the
# edges (issue 19): under memory limits (ulimit -v, ulimit -d) and with a
# driver that prints its compiler's messages. Label opencl: it needs a real
# driver, and ASan's shadow memory cannot run under ulimit -v. Each check
# failed before its fix.
set -u
HP=$1
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
fail=0
check() { # check NAME EXPECTED_EXIT ACTUAL_EXIT
  if [ "$2" != "$3" ]; then
    echo "FAIL $1: exit $3, expected $2"; fail=1
  else
    echo "ok   $1"
  fi
}
contains() { # contains NAME FILE TEXT
  if grep -qF -- "$3" "$2"; then echo "ok   $1"; else
    echo "FAIL $1: '$3' not in $2:"; cat "$2"; fail=1; fi
}
lacks() { # lacks NAME FILE TEXT
  if grep -qF -- "$3" "$2"; then echo "FAIL $1: '$3' in $2:"; cat "$2"; fail=1
  else echo "ok   $1"; fi
}

# 8a. Under ulimit -v 1 GB the probe measured a 1 GiB bandwidth buffer and
# PoCL aborted in an assertion (pocl_create_migration_commands) when it
# could not back it. Buffers are now cut to fit, and every figure measures.
# PoCL runs a worker thread per core, each with a stack and a malloc arena
# of address space: two, as on the two-core host where the limit was seen,
# keep the case the same on a larger CI host.
(ulimit -v 1000000 && POCL_MAX_PTHREAD_COUNT=2 exec "$HP" probe --quick) \
  >"$TMP/v1g.txt" 2>"$TMP/v1g.err"
check limit-1g 0 $?
lacks limit-1g-no-abort "$TMP/v1g.err" "Assertion"
for k in fp32_gflops mem_bw_gbps h2d_gbps d2h_gbps launch_us sgemm_gflops; do
  if grep -E "^  $k +[0-9.]+ .* ok " "$TMP/v1g.txt" >/dev/null; then
    echo "ok   limit-1g-$k"
  else
    echo "FAIL limit-1g-$k: not measured:"; cat "$TMP/v1g.txt" "$TMP/v1g.err"
    fail=1
  fi
done
# 11. ... and PoCL's "1 warning and 5 errors generated." (the fp16 test
# kernel's expected failure) no longer reaches the terminal: stderr is empty.
if [ -s "$TMP/v1g.err" ]; then
  echo "FAIL limit-1g-quiet: stderr not empty:"; cat "$TMP/v1g.err"; fail=1
else echo "ok   limit-1g-quiet"; fi

# 8b. Under ulimit -v 200 MB the driver cannot load, and the probe said no
# OpenCL platform was installed. It now names the driver and the limit.
(ulimit -v 200000 && exec "$HP" probe --quick) >/dev/null 2>"$TMP/v200.err"
check limit-200m 7 $?
contains limit-200m-driver "$TMP/v200.err" \
  "hetplan: probe: no OpenCL driver could be loaded: "
contains limit-200m-limit "$TMP/v200.err" \
  "the address-space limit (RLIMIT_AS, ulimit -v) of 195 MiB"
lacks limit-200m-not-missing "$TMP/v200.err" "no OpenCL platform is installed"

# 8b'. Under ulimit -d 200 MB (RLIMIT_DATA, which counts a CPU driver's
# buffers) PoCL segfaulted compiling CLBlast's GEMM kernels. Now the figures
# that do not fit are errors naming the limit, and the others measure.
(ulimit -d 200000 && POCL_MAX_PTHREAD_COUNT=2 exec "$HP" probe --quick) \
  >"$TMP/d200.txt" 2>"$TMP/d200.err"
check limit-data 0 $?
contains limit-data-gemm "$TMP/d200.txt" \
  "CLBlast's kernel compile 320 MiB, buffers and room for the driver), and the data limit (RLIMIT_DATA, ulimit -d) of 195 MiB"
if grep -E "^  fp32_gflops +[0-9.]+ .* ok " "$TMP/d200.txt" >/dev/null; then
  echo "ok   limit-data-fp32"
else echo "FAIL limit-data-fp32: not measured"; cat "$TMP/d200.txt"; fail=1; fi

# 8c. Peak resident memory without a limit: 2.2 GB before (a filled 1 GiB
# bandwidth buffer, then GEMM buffers for n = 16384 of which 2 GiB were
# filled). Now the bandwidth buffer (256 MiB, or 8 times a larger cache) is
# the largest, and the rest of the probe fits in 256 MiB beside it: 512 MiB
# on a CPU with a 32 MiB cache. -v prints getrusage's figure.
"$HP" probe --quick -v >"$TMP/v.txt" 2>"$TMP/v.err"
check verbose 0 $?
peak=$(sed -n 's/^hetplan: probe: peak resident memory \([0-9]*\) MiB$/\1/p' \
  "$TMP/v.err")
bw=$(sed -n 's/^  mem_bw_gbps .*, \([0-9]*\) MiB buffer.*/\1/p' "$TMP/v.txt")
if [ -n "$peak" ] && [ -n "$bw" ] && [ "$peak" -le $((bw + 256)) ]; then
  echo "ok   peak-rss ($peak MiB, bandwidth buffer $bw MiB)"
else
  echo "FAIL peak-rss: '${peak:-none}' MiB, expected <= ${bw:-?} + 256:"
  tail -5 "$TMP/v.err"; fail=1
fi
lacks verbose-no-fp16-test "$TMP/v.err" "errors generated"

# 11b. A kernel that fails to build (the fault seam) has its reason in the
# profile; the driver's own "1 error generated." is captured with the build
# log, which only -v shows, under its own heading.
HETPLAN_FAULT=build "$HP" probe --quick -v >"$TMP/b.txt" 2>"$TMP/b.err"
contains build-reason "$TMP/b.txt" "forced build failure"
contains build-verbose-log "$TMP/b.err" "--- build log ---"
contains build-verbose-fault "$TMP/b.err" "forced build failure"
if awk '/^[0-9]+ (warnings? and [0-9]+ )?errors? generated\.$/ &&
        prev != "--- compiler'"'"'s stderr ---" { bad = 1 } { prev = $0 }
        END { exit !bad }' "$TMP/b.err"; then
  echo "FAIL build-captured: the compiler's count outside its heading:"
  cat "$TMP/b.err"; fail=1
else echo "ok   build-captured"; fi
exit $fail
