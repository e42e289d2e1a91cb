#!/usr/bin/env bash
# A long solve shows its progress (nodes, best plan, bound) on stderr when
# stderr is a terminal, and nothing when it is a pipe (issue 23). The
# terminal is a pty from script(1) (bsdutils); HETPLAN_PROGRESS_EVERY_S
# makes a 16-class generator plan (about 1,300 nodes) report.
# usage: progress.sh HETPLAN SOURCE_DIR   (run by ctest)
set -euo pipefail
HP=$1
SRC=$2
command -v script >/dev/null || { echo "progress.sh: no script(1)"; exit 77; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
python3 "$SRC/bench/gen_roofline_plans.py" "$TMP" >/dev/null
PLAN=$TMP/roofline-C16-S6.yaml
cd "$SRC"
export HETPLAN_PROGRESS_EVERY_S=0.001
script -qec "'$HP' plan '$PLAN' --format json -o '$TMP/tty.json'" /dev/null \
  >"$TMP/tty.txt" </dev/null
"$HP" plan "$PLAN" --format json -o "$TMP/pipe.json" 2>"$TMP/pipe.txt" | cat
fail=0
if ! grep -aq 'hetplan: solving: [0-9,]* nodes, best .* CNY, bound .* CNY' \
    "$TMP/tty.txt"; then
  echo "FAIL: no progress line on a terminal:"; head -c 600 "$TMP/tty.txt"
  fail=1
fi
if grep -aq 'solving:' "$TMP/pipe.txt"; then
  echo "FAIL: progress written to a pipe:"; head -c 600 "$TMP/pipe.txt"
  fail=1
fi
if ! cmp -s "$TMP/tty.json" "$TMP/pipe.json"; then
  echo "FAIL: the plan differs with progress on"
  fail=1
fi
[ $fail = 0 ] && echo "progress: shown on a terminal, not in a pipe; same plan"
exit $fail
