#!/usr/bin/env bash
# services_reference.sh HETPLAN SRC - issue 21's shared-capacity program
# against its independent formulation (bench/services_reference.py, PuLP +
# CBC): `hetplan plan --format json` and the reference must find the same
# optimum (relative 1e-6) in every scenario of bench/melange/example.yaml
# (Melange's own example) and plans/fleet-2025-services.yaml. Also: the
# reference's optimum of Melange's example is the hand-checked 4.68 $/h
# (bench/melange/example.yaml's header), and hetplan's is no worse than
# Melange's own 5.69 $/h at slice_factor 8. And twelve seeded random plans
# (bench/services_random.py), scenario by scenario.
# Exit 77 (skipped) without python3-pulp, python3-yaml or /usr/bin/cbc.
set -u
HP=$1
SRC=$2
PY=/usr/bin/python3
CBC=${HETPLAN_CBC:-/usr/bin/cbc}
if ! "$PY" -c 'import pulp, yaml' 2>/dev/null || [ ! -x "$CBC" ]; then
  echo "SKIP: needs python3-pulp, python3-yaml and coinor-cbc" \
       "(HETPLAN_BENCH_DEPS=1 scripts/install-deps.sh)"
  exit 77
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cd "$SRC" || exit 1
fails=0
n=0
# A hetplan from before issue 21 refuses the plans: say so and skip.
if "$HP" plan plans/fleet-2025-services.yaml --format json 2>&1 >/dev/null |
    grep -q "unknown key 'services'"; then
  echo "SKIP: this hetplan does not read services: (issue 21)"
  exit 77
fi

check() { # PLAN CATALOG: same optimum on both sides, every scenario
  local plan=$1 cat=$2 tag
  tag=$(basename "$plan" .yaml)
  if ! HETPLAN_CBC=$CBC "$PY" bench/services_reference.py "$plan" \
      --catalog "$cat" > "$TMP/$tag.ref.json" 2> "$TMP/$tag.ref.err"; then
    echo "FAIL: reference on $plan: $(cat "$TMP/$tag.ref.err")"
    fails=$((fails + 1))
    return
  fi
  if ! "$HP" plan "$plan" --catalog "$cat" --format json \
      > "$TMP/$tag.hp.json" 2> "$TMP/$tag.hp.err"; then
    echo "FAIL: hetplan plan $plan: $(cat "$TMP/$tag.hp.err")"
    fails=$((fails + 1))
    return
  fi
  if "$PY" - "$TMP/$tag.ref.json" "$TMP/$tag.hp.json" <<'PY'
import json, sys
ref = json.load(open(sys.argv[1]))["scenarios"]
cli = {s["name"]: s for s in json.load(open(sys.argv[2]))["scenarios"]}
def cli_objective(c, kind):
    """The optimum in one scenario of `hetplan plan --format json`: capex_cny,
    tco_cny, or the fleet's services.rent_cny_per_hour."""
    if kind == "rent":
        return (c.get("services") or {}).get("rent_cny_per_hour")
    return c.get({"capex": "capex_cny", "tco": "tco_cny"}[kind])
bad = 0
for r in ref:
    c = cli.get(r["name"])
    if c is None:
        print("FAIL: scenario %s missing from hetplan's report" % r["name"])
        bad += 1
        continue
    if c.get("status") != r["status"]:
        print("FAIL: %s: hetplan %s, reference %s"
              % (r["name"], c.get("status"), r["status"]))
        bad += 1
        continue
    if r["status"] != "optimal":
        continue
    co = cli_objective(c, r["objective_kind"])
    ro = r["objective"]
    if co is None or abs(co - ro) > 1e-6 * max(1.0, abs(co), abs(ro)):
        print("FAIL: %s: hetplan %r, reference %r (%s)"
              % (r["name"], co, ro, r["objective_kind"]))
        bad += 1
    else:
        print("ok: %s: %.10g (%s)" % (r["name"], ro, r["objective_kind"]))
sys.exit(1 if bad else 0)
PY
  then n=$((n + 1)); else fails=$((fails + 1)); fi
}

# The reference itself, on the example worked by hand: 1 A10G + 1
# A100-80GB = 4.68 $/h in both scenarios.
HETPLAN_CBC=$CBC "$PY" bench/services_reference.py bench/melange/example.yaml \
  --catalog bench/melange/devices --quiet > "$TMP/q.txt" 2>&1
if [ "$(awk '{printf "%s %s %.6f\n", $1, $2, $3}' "$TMP/q.txt")" = \
     "$(printf 'slice-1 optimal 4.680000\nslice-8 optimal 4.680000')" ]; then
  n=$((n + 1))
else
  echo "FAIL: reference on Melange's example: $(cat "$TMP/q.txt")"
  fails=$((fails + 1))
fi

check bench/melange/example.yaml bench/melange/devices
check plans/fleet-2025-services.yaml devices

# No worse than Melange's own answer at slice_factor 8 (5.69 $/h).
if [ -s "$TMP/example.hp.json" ] && "$PY" - "$TMP/example.hp.json" <<'PY'
import json, sys
for s in json.load(open(sys.argv[1]))["scenarios"]:
    v = (s.get("services") or {}).get("rent_cny_per_hour")
    if v is None or v > 5.69 + 1e-9:
        print("FAIL: %s: %r $/h, Melange's own answer is 5.69" % (s["name"], v))
        sys.exit(1)
PY
then n=$((n + 1)); else fails=$((fails + 1)); fi

# Seeded random plans (bench/services_random.py): services x classes x
# SKUs x phases, shares, caps, minimum orders, max SKUs, slow networks,
# fractional servers beside binary picks included.
HETPLAN_CBC=$CBC "$PY" bench/services_random.py "$HP" 12 7 > "$TMP/rand.txt" 2>&1
rc=$?
if grep -q "unknown key 'network_gbps'" "$TMP/rand.txt"; then
  echo "note: this catalog reader has no network_gbps; random plans without it"
  HETPLAN_RANDOM_NO_NETWORK=1 HETPLAN_CBC=$CBC "$PY" bench/services_random.py \
    "$HP" 12 7 > "$TMP/rand.txt" 2>&1
  rc=$?
fi
if [ $rc -eq 0 ]; then
  n=$((n + 1))
else
  echo "FAIL: random plans against the reference:"
  grep -v " ok" "$TMP/rand.txt"
  fails=$((fails + 1))
fi

echo "services_reference: $n passed, $fails failed"
[ "$fails" -eq 0 ]
