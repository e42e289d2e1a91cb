#!/usr/bin/env bash
# CLI tests of plans with periods (issue 22): the schedule's exit codes and
# explanations, --schedule-chart, the JSON, and the warning of the what-if
# commands. usage: periods.sh HETPLAN SOURCE_DIR (run by ctest).
set -u
. "$(dirname "$0")/lib.sh" "$@"

# A period that cannot be planned: exit 4, the period named on stderr, the
# report still on stdout.
expect_err 4 "period 'y2' cannot be planned" "infeasible period" \
  "$HP" plan "$SRC/tests/data/periods-infeasible.yaml" --catalog "$FIX"
if grep -q "t / s: infeasible" "$TMP/out"; then ok; else bad "infeasible: no report"; fi

# The shipped plan: exit 0, JSON that parses, with the joint and myopic plans.
if expect 0 "$HP" plan "$SRC/plans/doubao-2025-26.yaml" --catalog "$CAT" --format json &&
   python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); s=d["scenarios"]; assert len(s)==3 and all(x["proven"] and x["myopic"]["status"]=="optimal" and len(x["periods"])==4 for x in s)' "$TMP/out"; then
  ok; else bad "doubao-2025-26 json"; fi

# --schedule-chart: one chart per scenario, FILE-SCENARIO.svg.
if expect 0 "$HP" plan "$SRC/plans/doubao-2025-26.yaml" --catalog "$CAT" --schedule-chart "$TMP/fleet.svg"; then
  for s in conservative neutral optimistic; do
    if [ -s "$TMP/fleet-$s.svg" ] && grep -q "<svg" "$TMP/fleet-$s.svg"; then ok; else bad "chart $s"; fi
  done
fi
# ... and a usage error on a plan without periods, with nothing written.
expect_err 2 "needs a plan with periods" "chart without periods" \
  "$HP" plan "$SRC/plans/doubao-minsheng-2024.yaml" --catalog "$CAT" --schedule-chart "$TMP/x.svg"
if [ ! -e "$TMP/x.svg" ]; then ok; else bad "chart without periods wrote a file"; fi

# batch plans a scenario with periods without them, and says so.
expect_err 0 "has periods; batch plans it as one purchase" "batch warning" \
  "$HP" batch "$SRC/plans/doubao-2025-26.yaml" --catalog "$CAT"

finish periods
