# lib.sh - sourced by the CLI test scripts (run.sh, whatif.sh, output.sh):
#   . "$(dirname "$0")/lib.sh" "$@"
# sets HP (the binary) and SRC (the source tree) from the arguments, CAT
# (the shipped catalog), FIX (the test catalog) and TMP (removed on exit),
# and defines ok, bad, expect, expect_err and finish.
HP=$1
SRC=$2
CAT="$SRC/devices"
FIX="$SRC/tests/data/catalog"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
# expect RC COMMAND...: runs it, stdout to $TMP/out, stderr to $TMP/err;
# true when it exits RC (under set -e too).
expect() {
  local want=$1 rc=0
  shift
  "$@" > "$TMP/out" 2> "$TMP/err" || rc=$?
  if [ $rc -ne "$want" ]; then bad "exit $rc, want $want: $*"; head -5 "$TMP/err"; return 1; fi
  return 0
}
# expect_err RC PATTERN NAME COMMAND...: ok when COMMAND exits RC with
# stderr matching PATTERN (grep), else a failure NAME showing the stderr.
expect_err() {
  local want=$1 pat=$2 name=$3 rc=0
  shift 3
  "$@" > "$TMP/out" 2> "$TMP/err" || rc=$?
  if [ $rc -eq "$want" ] && grep -q -- "$pat" "$TMP/err"; then ok; else
    bad "$name: exit $rc, want $want: $(cat "$TMP/err")"; fi
}
# finish NAME: the summary line; the script's status.
finish() {
  echo "$1: $pass passed, $fail failed"
  [ $fail -eq 0 ]
}
