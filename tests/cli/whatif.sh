#!/usr/bin/env bash
# CLI tests of `hetplan batch`, `hetplan sweep` and `hetplan montecarlo`:
# exit codes, errors naming the key or file:line:col, no half-written
# output, reproducible Monte Carlo whatever --threads, charts.
# usage: whatif.sh HETPLAN SOURCE_DIR   (run by ctest)
set -u
. "$(dirname "$0")/lib.sh" "$@"

cat > "$TMP/one.yaml" <<'PLAN'
name: one
defaults:
  workload: {model: {params: 5e11}, tokens_per_day: 8.64e7}
  mfu: 0.5
  devices: [alpha-a, beta-b]
  token_price_cny_per_mtok: 30
scenarios:
  - name: s
uncertain:
  workload.tokens_per_day: {dist: uniform, min: 8.64e7, max: 1.728e8}
  constraints.caps.alpha-a: {dist: uniform, min: 40, max: 120}
PLAN
# png_ok FILE: a PNG of the charts' size (1100 x 640, in its IHDR chunk).
png_ok() {
  head -c 8 "$1" | od -An -c | grep -q 'P   N   G' \
    && [ "$(od -An -tu1 -j16 -N8 "$1" | tr -s ' ')" = " 0 0 4 76 0 0 2 128" ]
}
# svg_ok FILE: well-formed XML (when python3 is there to say so).
svg_ok() {
  grep -q '</svg>' "$1" || return 1
  command -v python3 > /dev/null || return 0
  python3 -c "import xml.dom.minidom,sys; xml.dom.minidom.parse(sys.argv[1])" "$1"
}

# --- sweep -----------------------------------------------------------------
expect 0 "$HP" sweep "$TMP/one.yaml" --catalog "$FIX" --format csv \
  --vary constraints.domestic_share.min=0:1:0.1 && {
  # 11 points; capex 1e7 + 1e7 x share (beta-b costs twice alpha-a).
  [ "$(tail -n +2 "$TMP/out" | wc -l)" = 11 ] && grep -q '^0.3,s,optimal,13000000,' "$TMP/out" \
    && grep -q '^1,s,optimal,20000000,' "$TMP/out" && ok || bad "sweep csv rows"; }
# Two keys: the last varies fastest.
expect 0 "$HP" sweep "$TMP/one.yaml" --catalog "$FIX" --format csv \
  --vary constraints.domestic_share.min=0:1:0.5 --vary overrides.beta-b.price_server_cny=1e6:2e6:1e6 && {
  [ "$(sed -n 2p "$TMP/out" | cut -d, -f1-2)" = "0,1000000" ] && [ "$(sed -n 3p "$TMP/out" | cut -d, -f1-2)" = "0,2000000" ] \
    && [ "$(tail -n +2 "$TMP/out" | wc -l)" = 6 ] && ok || bad "sweep two keys"; }
# Per-vendor columns at a 30% domestic (compute) mandate, by hand: demand is
# 8.64e7 / 86,400 = 1,000 tokens/s, 100 tokens/s per server of either card;
# beta-b (domestic, 2e6 CNY) must give b >= 0.3 x (a + b) servers' worth and
# a + b >= 10: a = 7, b = 3 for 7e6 + 6e6 = 1.3e7 CNY (a = 10 alone would
# need b = 5, 2e7). Alpha: 7 servers x 8 = 56 cards, 7,000,000 CNY;
# Beta: 3 servers x 8 = 24 cards, 6,000,000 CNY.
expect 0 "$HP" sweep "$TMP/one.yaml" --catalog "$FIX" --format json \
  --vary constraints.domestic_share.min=0.3 && {
  grep -qF '"vendors": {"Alpha": {"cards": 56, "servers": 7, "capex_cny": 7000000}, "Beta": {"cards": 24, "servers": 3, "capex_cny": 6000000}}' "$TMP/out" \
    && ok || bad "sweep json vendors at 30% domestic: $(grep -o '"vendors": .*' "$TMP/out")"; }
expect 0 "$HP" sweep "$TMP/one.yaml" --catalog "$FIX" --format csv \
  --vary constraints.domestic_share.min=0.3 && {
  head -1 "$TMP/out" | grep -q ',cards.Alpha,servers.Alpha,capex_cny.Alpha,cards.Beta,servers.Beta,capex_cny.Beta$' \
    && grep -q '^0.3,s,optimal,13000000,.*,56,7,7000000,24,3,6000000$' "$TMP/out" \
    && ok || bad "sweep csv vendors at 30% domestic: $(cat "$TMP/out")"; }
# The table in its units, by hand (8 cards per server; PUE 1.3, 8,760 h,
# 0.4 CNY/kWh: 4,555.2 CNY per kW-year; 5 years of 8.64e7 tokens/day =
# 157,680 Mtok):
#   share 0:   10 alpha-a, 80 x 0.8 kW = 64 kW: opex 291,532.8 = 0.29 M CNY/yr;
#              TCO 1e7 + 5 x 291,532.8 = 11,457,664 (0.1146e8), 72.6640/Mtok;
#   share 0.5: 5 + 5, 40 x 0.8 + 40 x 0.5 = 52 kW: opex 236,870.4 = 0.24;
#              TCO 1.5e7 + 1,184,352 = 16,184,352 (0.1618e8), 102.6405/Mtok;
#   share 1:   10 beta-b, 80 x 0.5 = 40 kW: opex 182,208 = 0.18;
#              TCO 2e7 + 911,040 = 20,911,040 (0.2091e8), 132.6169/Mtok.
# cost/price against 30 CNY/Mtok: 242.21%, 342.13%, 442.06%.
expect 0 "$HP" sweep "$TMP/one.yaml" --catalog "$FIX" \
  --vary constraints.domestic_share.min=0:1:0.5 && {
  rows=$(awk '/^---/ { on = 1; next } on && NF == 0 { exit } on { print $1, $2, $3, $4, $5, $6, $7, $8, $9, $12, $13 }' "$TMP/out")
  want="0 optimal 0.1000 0.29 0.1146 72.6640 242.21 80 10 80 0
0.5 optimal 0.1500 0.24 0.1618 102.6405 342.13 80 10 40 40
1 optimal 0.2000 0.18 0.2091 132.6169 442.06 80 10 0 80"
  grep -q 'capex (100M CNY)  opex (M CNY/yr)  TCO (100M CNY)  cost (CNY/Mtok)  cost/price (%)' "$TMP/out" \
    && [ "$rows" = "$want" ] && ok || bad "sweep table figures: got
$rows"; }
# A bad key path: usage error naming the path, nothing on stdout.
expect 2 "$HP" sweep "$TMP/one.yaml" --catalog "$FIX" --vary constraints.domestic_sahre.min=0:1:0.5 && {
  grep -q "constraints.domestic_sahre.min" "$TMP/err" && [ ! -s "$TMP/out" ] && ok || bad "bad path message"; }
expect 2 "$HP" sweep "$TMP/one.yaml" --catalog "$FIX" --vary mfu=0:1:0 && {
  grep -q "STEP must not be 0" "$TMP/err" && ok || bad "zero step"; }
expect 2 "$HP" sweep "$TMP/one.yaml" --catalog "$FIX" --vary mfu=0:1e9:1 && {
  grep -q "1000000" "$TMP/err" && ok || bad "points limit"; }
expect_err 2 "sweep: give at least one --vary KEY=START:STOP:STEP" "sweep without --vary" \
  "$HP" sweep "$TMP/one.yaml" --catalog "$FIX"
expect 2 "$HP" sweep "$TMP/one.yaml" --catalog "$FIX" --vary mfu=0.5 --scenario nope && {
  grep -q "nope" "$TMP/err" && ok || bad "unknown scenario"; }
# A value rejected later in the grid: rows marked error, exit 3, message.
expect 3 "$HP" sweep "$TMP/one.yaml" --catalog "$FIX" --vary mfu=0.5:1.5:0.5 && {
  grep -q ",s,error" <("$HP" sweep "$TMP/one.yaml" --catalog "$FIX" --vary mfu=0.5:1.5:0.5 --format csv 2>/dev/null) \
    && grep -q "rows could not be solved" "$TMP/err" && ok || bad "rejected value rows"; }
# -o and --chart written whole; a failure leaves neither.
expect 0 "$HP" sweep "$TMP/one.yaml" --catalog "$FIX" --vary constraints.domestic_share.min=0:1:0.1 \
  -o "$TMP/s.json" --format json --chart "$TMP/s.png" && {
  [ ! -s "$TMP/out" ] && head -c 8 "$TMP/s.png" | od -An -c | grep -q 'P   N   G' \
    && grep -q '"capex_cny"' "$TMP/s.json" && ok || bad "sweep -o/--chart"; }
expect 0 "$HP" sweep "$TMP/one.yaml" --catalog "$FIX" --vary constraints.domestic_share.min=0:1:0.1 --chart "$TMP/s.svg" && {
  grep -q '<svg' "$TMP/s.svg" && ok || bad "svg chart"; }
expect 2 "$HP" sweep "$TMP/one.yaml" --catalog "$FIX" --vary mfu=0.5 --chart "$TMP/c.gif" && {
  grep -qF -- "--chart '$TMP/c.gif': expected a file name ending in .png or .svg" "$TMP/err" \
    && [ ! -e "$TMP/c.gif" ] && [ ! -s "$TMP/out" ] && ok || bad "--chart .gif message: $(cat "$TMP/err")"; }
expect 2 "$HP" sweep "$TMP/one.yaml" --catalog "$FIX" --vary nope.key=0:1:1 -o "$TMP/no.csv" --chart "$TMP/no.png" && {
  ! compgen -G "$TMP/no.*" > /dev/null && ok || bad "failed sweep left a file"; }
# cairo is loaded when a chart is first drawn. Without it (here a broken
# libcairo.so.2 first on the search path) the run fails naming the library
# and the package to install, and writes neither file.
mkdir "$TMP/nolib" && echo "not a library" > "$TMP/nolib/libcairo.so.2"
expect 5 env LD_LIBRARY_PATH="$TMP/nolib" "$HP" sweep "$TMP/one.yaml" --catalog "$FIX" \
  --vary constraints.domestic_share.min=0:1:0.5 -o "$TMP/nc.csv" --chart "$TMP/nc.png" && {
  grep -q "charts need cairo (libcairo.so.2), which could not be loaded: .*apt-get install libcairo2" "$TMP/err" \
    && ! compgen -G "$TMP/nc.*" > /dev/null && ok || bad "chart without cairo"; }

# solver.mip_gap: rows the solver stopped within the gap are flagged (a
# within_gap column in CSV, optimal* and a note in the table); a plan
# without it has no such column; a gap out of range names file:line:col.
cat > "$TMP/gap.yaml" <<'PLAN'
name: gap
defaults:
  workload: {model: {name: m, params: 130e9}, tokens_per_day: 4.0e12,
             seconds_per_day: 129600, peak_factor: 4}
  mfu: 0.5
  granularity: server
  # devices: the 28 cards the catalog had when these node counts were set.
  solver: {mip_gap: 1.0e-4}
  constraints:
    domestic_share: {min: 0.3}
    caps: {nvidia-h20: 230000, vendor.Huawei: 30000, vendor.Hygon: 10000}
  devices: [amd-mi300x, biren-br104, cambricon-mlu370-x8, cambricon-mlu590,
            huawei-ascend-910b2, huawei-ascend-910b3, huawei-ascend-910b4,
            huawei-ascend-910c, huawei-atlas-300i-duo, hygon-bw200,
            hygon-k100-ai, iluvatar-bi-v100, iluvatar-bi-v150, intel-gaudi3,
            kunlunxin-p800, metax-c550, mthreads-mtt-s4000, nvidia-a100,
            nvidia-a800, nvidia-b200, nvidia-h100-pcie, nvidia-h100,
            nvidia-h20-141g, nvidia-h20, nvidia-h200, nvidia-h800, nvidia-l20,
            nvidia-l40s]
scenarios:
  - name: s
PLAN
expect 0 "$HP" sweep "$TMP/gap.yaml" --catalog "$CAT" --format csv \
  --vary constraints.domestic_share.min=0.1:0.8:0.1 && {
  col=$(head -1 "$TMP/out" | tr , '\n' | grep -nx within_gap | cut -d: -f1)
  [ -n "$col" ] && [ "$(tail -n +2 "$TMP/out" | cut -d, -f"$col" | grep -c '^1$')" -gt 0 ] \
    && ok || bad "within_gap column"; }
expect 0 "$HP" sweep "$TMP/gap.yaml" --catalog "$CAT" \
  --vary constraints.domestic_share.min=0.1:0.8:0.1 && {
  grep -q ' feasible, not proven optimal (gap at most 0.01%) ' "$TMP/out" && grep -q "within the plan's solver.mip_gap" "$TMP/out" \
    && ok || bad "optimal* and the note"; }
# A single plan says whether its optimum was proven, in text and JSON.
expect 0 "$HP" plan "$TMP/gap.yaml" --catalog "$CAT" && {
  grep -Eq '^  solver: (optimum proven; allowed gap|not proven optimal; within) 0.01% \(solver.mip_gap 0.0001\)$' "$TMP/out" \
    && ok || bad "plan text solver line"; }
expect 0 "$HP" plan "$TMP/gap.yaml" --catalog "$CAT" --format json && {
  grep -q '"mip_gap": 0.0001' "$TMP/out" && grep -Eq '"within_gap": (true|false)' "$TMP/out" \
    && ok || bad "plan json mip_gap"; }
expect 0 "$HP" batch "$TMP/gap.yaml" --catalog "$CAT" --format csv && {
  tail -1 "$TMP/out" | grep -Eq ',feasible; not proven optimal \(gap at most 0\.01%\),.*,not proven optimal: within 0\.01% \(solver\.mip_gap 0\.0001\)$' \
    && ok || bad "batch csv with a gap"; }
sed 's/^  solver: .*$//' "$TMP/gap.yaml" > "$TMP/nogap.yaml"
expect 0 "$HP" sweep "$TMP/nogap.yaml" --catalog "$CAT" --format csv \
  --vary constraints.domestic_share.min=0.1:0.3:0.1 && {
  ! head -1 "$TMP/out" | grep -q within_gap && ok || bad "no within_gap column without a gap"; }
sed 's/mip_gap: 1.0e-4/mip_gap: 2/' "$TMP/gap.yaml" > "$TMP/badgap.yaml"
expect 3 "$HP" sweep "$TMP/badgap.yaml" --catalog "$CAT" \
  --vary constraints.domestic_share.min=0.1:0.3:0.1 && {
  grep -q "badgap.yaml:8:21: solver.mip_gap: expected a fraction between 0 and 1, got 2" "$TMP/err" \
    && [ ! -s "$TMP/out" ] && ok || bad "bad mip_gap message"; }

# solver.node_limit: a plan the search cannot prove within its nodes is
# the best one found, marked as such in text, JSON, stderr, batch and sweep;
# its capex lies between the proven optimum and the optimum plus the gap it
# reports. With no plan found within the nodes, it is an error that says to
# raise the limit.
sed 's/^  solver: .*$/  solver: {node_limit: 20}/' "$TMP/gap.yaml" > "$TMP/nl.yaml"
expect 0 "$HP" plan "$TMP/nl.yaml" --catalog "$CAT" && {
  grep -Eq '^  solver: not proven optimal; stopped at solver.node_limit \(20 nodes\), within [0-9.e-]+% of the optimum$' "$TMP/out" \
    && grep -q "nl.yaml: scenario 's' is not proven optimal: stopped at solver.node_limit (20 nodes), within .* (raise solver.node_limit to search further)" "$TMP/err" \
    && ok || bad "node-limited plan: text and stderr"; }
capex_of() { sed -n 's/^      "capex_cny": \(.*\),$/\1/p' "$1" | head -1; }
expect 0 "$HP" plan "$TMP/nogap.yaml" --catalog "$CAT" --format json && cp "$TMP/out" "$TMP/exact.json"
expect 0 "$HP" plan "$TMP/nl.yaml" --catalog "$CAT" --format json && {
  g=$(sed -n 's/^      "gap": \(.*\),$/\1/p' "$TMP/out")
  grep -q '"node_limit": 20,' "$TMP/out" && grep -q '"node_limited": true,' "$TMP/out" \
    && [ -n "$g" ] && ! grep -q '"node_limited"' "$TMP/exact.json" \
    && awk -v a="$(capex_of "$TMP/out")" -v z="$(capex_of "$TMP/exact.json")" -v g="$g" \
         'BEGIN { exit !(a > z && (a - z) / a <= g * (1 + 1e-9)) }' \
    && ok || bad "node-limited plan: JSON, capex $(capex_of "$TMP/out") against $(capex_of "$TMP/exact.json"), gap $g"; }
expect 0 "$HP" batch "$TMP/nl.yaml" --catalog "$CAT" --format csv && {
  tail -1 "$TMP/out" | grep -Eq ',feasible; not proven optimal \(gap [^)]*\),.*,"not proven optimal: stopped at solver.node_limit \(20 nodes\), within [0-9.e-]+% of the optimum"$' \
    && ok || bad "node-limited batch csv"; }
expect 0 "$HP" sweep "$TMP/nl.yaml" --catalog "$CAT" \
  --vary constraints.domestic_share.min=0.1:0.3:0.1 && {
  grep -q ' feasible, not proven optimal (gap ' "$TMP/out" && grep -Eq "^[0-9]+ of 3 rows \(feasible, not proven optimal\) are not proven optimal: [0-9]+ stopped at the plan's solver.node_limit.$" "$TMP/out" \
    && ok || bad "node-limited sweep: optimal* and the note"; }
sed 's/node_limit: 20/node_limit: 2/' "$TMP/nl.yaml" > "$TMP/nl2.yaml"
expect 5 "$HP" plan "$TMP/nl2.yaml" --catalog "$CAT" && {
  grep -q "nl2.yaml: scenario 's' is an error: no plan found within solver.node_limit (2 nodes): raise it" "$TMP/err" \
    && ok || bad "no plan within the node limit"; }
# A sweep row solves through the planner's one path: the same message.
expect 5 "$HP" sweep "$TMP/nl2.yaml" --catalog "$CAT" --format csv \
  --vary constraints.domestic_share.min=0.1:0.2:0.1 && {
  [ "$(grep -c ',error,.*,no plan found within solver.node_limit (2 nodes): raise it$' "$TMP/out")" = 2 ] \
    && ok || bad "node-limited sweep rows: the planner's message"; }

# --- montecarlo ------------------------------------------------------------
for t in 1 2; do
  expect 0 "$HP" montecarlo "$TMP/one.yaml" --catalog "$FIX" --samples 400 --seed 9 --threads $t --format csv \
    && cp "$TMP/out" "$TMP/mc$t.csv"
done
cmp -s "$TMP/mc1.csv" "$TMP/mc2.csv" && ok || bad "montecarlo differs between 1 and 2 threads"
expect 0 "$HP" montecarlo "$TMP/one.yaml" --catalog "$FIX" --samples 400 --seed 10 --format csv && {
  ! cmp -s "$TMP/out" "$TMP/mc1.csv" && ok || bad "seed has no effect"; }
# The table of one.yaml, seed 9. beta-b has no cap, so every sample is
# feasible: 400 optimal, 0 infeasible, 0 invalid. The cheapest a sample
# can be is all alpha-a: per 100 tokens/s, 1e6 CNY + 5 years x 6.4 kW x
# 4,555.2 CNY/kW-year = 1,145,766.4 CNY over 100 x 86,400 x 365 x 5 =
# 15,768 Mtok, i.e. 72.66 CNY/Mtok (tco_arithmetic_by_hand): above the
# price of 30 in every sample, so 100.0%.
expect 0 "$HP" montecarlo "$TMP/one.yaml" --catalog "$FIX" --samples 400 --seed 9 && {
  cp "$TMP/out" "$TMP/mc9.txt"
  grep -Eq "^  400 samples \(seed 9, [0-9]+ threads?\): 400 optimal, 0 infeasible, 0 invalid$" "$TMP/out" \
    && grep -q "^capex  *100M CNY  " "$TMP/out" \
    && grep -qx "Token price 30 CNY/Mtok: the cost per million tokens exceeds it in 100.0% of the optimal samples." "$TMP/out" \
    && ok || bad "montecarlo table: $(cat "$TMP/out")"; }
# Every row of the table: P10 <= P50 <= P90 (the last four fields are P10,
# P50, P90 and mean; cards are grouped with commas).
awk '/^---/ { on = 1; next } on && NF == 0 { exit }
     on { n++; for (i = NF - 3; i <= NF; i++) { x[i] = $i; gsub(",", "", x[i]) }
          if (!(x[NF - 3] + 0 <= x[NF - 2] + 0 && x[NF - 2] + 0 <= x[NF - 1] + 0)) { print; bad = 1 } }
     END { exit bad || n < 12 }' "$TMP/mc9.txt" && ok || bad "montecarlo table: P10 <= P50 <= P90"
# The table's percentiles are the CSV's (rendered on another path) in the
# table's units: capex and TCO / 1e8 to 4 decimals, opex / 1e6 to 2, cost
# per Mtok to 4.
awk -F, 'NR == FNR { if ($1 == "s") for (q = 4; q <= 7; q++) v[$2, q] = $q; next }
         function row(col, scale, dec,   s, q) {
           s = ""; for (q = 4; q <= 7; q++) s = s sprintf(" %." dec "f", v[col, q] / scale)
           return s }
         /^capex  /                   { got["capex"] = $0; want["capex"] = row("capex_cny", 1e8, 4) }
         /^opex  /                    { got["opex"] = $0; want["opex"] = row("opex_cny_per_year", 1e6, 2) }
         /^TCO  /                     { got["TCO"] = $0; want["TCO"] = row("tco_cny", 1e8, 4) }
         /^cost per million tokens  / { got["cost"] = $0; want["cost"] = row("cost_per_mtok_cny", 1, 4) }
         END { n = 0
               for (k in want) { n++; m = split(got[k], f, " +")
                 g = " " f[m - 3] " " f[m - 2] " " f[m - 1] " " f[m]
                 if (g != want[k]) { print k ": table" g ", csv" want[k]; bad = 1 } }
               exit bad || n != 4 }' "$TMP/mc1.csv" "$TMP/mc9.txt" \
  && ok || bad "montecarlo table against csv"
# A price of 1000 CNY/Mtok is above any sample: the dearest is all beta-b
# with a server too many, (D / 100 + 1) x 2e6 CNY capex for D >= 1,000
# tokens/s, and no server draws more than alpha-a's 29,153.28 CNY/yr, so
# TCO <= (D / 100 + 1) x (2e6 + 2 x 5 x 29,153.28) and the cost per Mtok
# <= 0.011 x 2,291,532.8 / 157.68 = 160 < 1000: 0.0%.
sed 's/token_price_cny_per_mtok: 30$/token_price_cny_per_mtok: 1000/' "$TMP/one.yaml" > "$TMP/p1000.yaml"
expect 0 "$HP" montecarlo "$TMP/p1000.yaml" --catalog "$FIX" --samples 400 --seed 9 && {
  grep -qx "Token price 1,000 CNY/Mtok: the cost per million tokens exceeds it in 0.0% of the optimal samples." "$TMP/out" \
    && ok || bad "montecarlo price 1000: $(grep 'Token price' "$TMP/out")"; }
expect 0 "$HP" montecarlo "$TMP/p1000.yaml" --catalog "$FIX" --samples 400 --seed 9 --format json && {
  grep -q '"token_price_per_mtok_cny": 1000, "share_cost_above_price": 0,' "$TMP/out" \
    && ok || bad "montecarlo json price 1000"; }
# The doubao plan, 200 samples. By hand from the catalog, the dearest card
# per token at the worst draws (mfu 0.3, H20 at 1.4e6 CNY a server) is the
# H20: 148e12 x 0.3 / (2 x 130e9) = 170.8 tokens/s a card, served at
# peak / 4 over 129,600 s a day for 5 years = 10,099 Mtok, for 1.4e6 / 8 +
# 5 x 0.4 kW x 4,555.2 = 184,110 CNY: 18.2 CNY/Mtok (the L20 13.8, every
# domestic card below 12). A plan costs no more per token than its
# dearest card (plus a server per SKU of rounding, < 1% of these plans),
# so no sample is above 30: share 0. The caps bound the vendor columns.
expect 0 "$HP" montecarlo "$SRC/plans/doubao-montecarlo.yaml" --catalog "$CAT" --samples 200 --seed 1 \
  --chart "$TMP/mc.png" --format json -o "$TMP/mc.json" && {
  png_ok "$TMP/mc.png" && [ ! -s "$TMP/out" ] \
    && grep -q '^  "samples": 200,$' "$TMP/mc.json" && grep -q '^  "seed": 1,$' "$TMP/mc.json" \
    && grep -q '"token_price_per_mtok_cny": 30, "share_cost_above_price": 0,' "$TMP/mc.json" \
    && awk '
      match($0, /"optimal": [0-9]+, "infeasible": [0-9]+, "errors": [0-9]+/) {
        split(substr($0, RSTART, RLENGTH), c, /[^0-9]+/); opt = c[2]; tot = c[2] + c[3] + c[4] }
      /"name": / { q++
        name = $0; sub(/^.*"name": "/, "", name); sub(/".*$/, "", name)
        split($0, f, /"(n|p10|p50|p90|mean)": /)
        n = f[2] + 0; p10 = f[3] + 0; p50 = f[4] + 0; p90 = f[5] + 0
        if (!(p10 <= p50 && p50 <= p90)) { print name ": percentiles out of order"; bad = 1 }
        if (name ~ /^input / ? n != 200 : n != opt) { print name ": n " n; bad = 1 }
        if (name == "cards.Huawei" && p90 > 30000 || name == "cards.Hygon" && p90 > 10000 \
            || name == "cards.Cambricon" && p90 > 10000) { print name ": above its cap"; bad = 1 } }
      END { exit bad || tot != 200 || opt < 1 || q < 12 }' "$TMP/mc.json" \
    && ok || bad "doubao montecarlo"; }
# Bad uncertain: blocks: exit 3 with file:line:col.
cat > "$TMP/badmc.yaml" <<'PLAN'
name: badmc
defaults:
  workload: {model: {params: 5e11}, tokens_per_day: 8.64e7}
  devices: [alpha-a]
scenarios:
  - name: s
uncertain:
  mfu: {dist: normal, mean: 0.5, sd: -1}
PLAN
expect 3 "$HP" montecarlo "$TMP/badmc.yaml" --catalog "$FIX" -o "$TMP/badmc.txt" && {
  grep -q "badmc.yaml:8:38: uncertain.mfu: sd must be > 0" "$TMP/err" && [ ! -e "$TMP/badmc.txt" ] \
    && ok || { bad "bad uncertain message"; cat "$TMP/err"; }; }
expect 3 "$HP" montecarlo "$SRC/plans/doubao-mix-2024.yaml" --catalog "$CAT" && {
  grep -q "no uncertain: block" "$TMP/err" && ok || bad "no uncertain block"; }
expect_err 2 "montecarlo: --samples: expected 1 to 1000000 (HP_WI_MAX_POINTS), got '0'" "--samples 0" \
  "$HP" montecarlo "$TMP/one.yaml" --catalog "$FIX" --samples 0
expect_err 2 "montecarlo: --seed: expected a whole number >= 0, got '-1'" "--seed -1" \
  "$HP" montecarlo "$TMP/one.yaml" --catalog "$FIX" --seed -1

# --- batch -----------------------------------------------------------------
printf 'name: broken\nscenarios:\n  - name: s\n    mfu: 0.5\n' > "$TMP/broken.yaml"
expect 3 "$HP" batch "$TMP/broken.yaml" "$SRC/plans/doubao-minsheng-2024.yaml" --catalog "$CAT" && {
  grep -q "broken.yaml:3:5" "$TMP/err" && grep -q "broken.yaml:3:5" "$TMP/out" \
    && grep -q "end-2024-whole-servers" "$TMP/out" && grep -q "optimistic" "$TMP/out" \
    && ok || bad "batch past a broken plan"; }
# Infeasible scenarios: exit 4 with the explanation; a broken plan is worse.
cat > "$TMP/inf.yaml" <<'PLAN'
name: inf
defaults:
  workload: {model: {params: 5e11}, tokens_per_day: 8.64e7}
  mfu: 0.5
  devices: [alpha-a, beta-b]
scenarios:
  - name: fine
  - name: capped
    constraints: {caps: {alpha-a: 8, beta-b: 8}}
PLAN
expect 4 "$HP" batch "$TMP/inf.yaml" --catalog "$FIX" --format csv && {
  grep -q "^.*inf.yaml,capped,infeasible" "$TMP/out" && grep -q "supply caps allow at most" "$TMP/err" \
    && grep -q "inf.yaml,fine,optimal,10000000," "$TMP/out" && ok || bad "batch infeasible"; }
# Both reasons on stderr: caps of 8 cards each are one server of each card,
# 2 x 100 = 200 tokens/s of the 1,000 required (0.20).
expect 3 "$HP" batch "$TMP/inf.yaml" "$TMP/broken.yaml" --catalog "$FIX" && {
  grep -q "scenario 'capped' is infeasible: supply caps allow at most 200 tokens/s, 0.20 of the required 1,000 tokens/s" "$TMP/err" \
    && grep -q "broken.yaml:3:5: scenario 's': required key 'workload' is missing" "$TMP/err" \
    && grep -q "inf.yaml  *fine  *optimal " "$TMP/out" && ok || bad "batch infeasible and broken: $(cat "$TMP/err")"; }
expect 3 "$HP" batch "$TMP/none.yaml" "$SRC/plans/doubao-minsheng-2024.yaml" --catalog "$CAT" --format json && {
  grep -q '"status": "input_error"' "$TMP/out" && grep -q "none.yaml" "$TMP/err" && ok || bad "batch missing file"; }
expect 0 "$HP" batch "$SRC/plans/doubao-minsheng-2024.yaml" --catalog "$CAT" --format md --chart "$TMP/b.png" && {
  grep -q "| plan" "$TMP/out" && [ -s "$TMP/b.png" ] && ok || bad "batch md/chart"; }
expect_err 2 "batch: missing the PLAN files" "batch with no file" "$HP" batch --catalog "$CAT"
# Markdown escapes '|' in headers too (a vendor named with one once sent
# the column padding below zero and the sweep into a near-endless loop).
mkdir "$TMP/pcat" && cp "$CAT/nvidia-h20.yaml" "$CAT/huawei-ascend-910b3.yaml" "$TMP/pcat/"
sed -i 's/^vendor: .*/vendor: "Hua|wei"/' "$TMP/pcat/huawei-ascend-910b3.yaml"
printf 'name: p\ndefaults: {workload: {model: {params: 7e9}, tokens_per_day: 1e10}, devices: [nvidia-h20, huawei-ascend-910b3]}\nscenarios:\n  - name: a\n' > "$TMP/p.yaml"
expect 0 timeout 30 "$HP" sweep "$TMP/p.yaml" --catalog "$TMP/pcat" --vary mfu=0.3:0.5:0.1 --format md && {
  grep -qF 'Hua\|wei (cards)' "$TMP/out" && ok || bad "md header escaping"; }
# A plan with a token price: batch compares cost with it (9.3863 / 30 CNY
# per million tokens = 31.29%, over a real 86,400 s day); CSV leaves the
# price empty where a plan gives none, rather than 0.
expect 0 "$HP" batch "$SRC/plans/doubao-montecarlo.yaml" --catalog "$CAT" && {
  grep -q "cost/price (%)" "$TMP/out" && grep -Eq "9\.3863 +30 +31\.29 " "$TMP/out" \
    && ok || bad "batch cost/price"; }
expect 0 "$HP" batch "$SRC/plans/doubao-minsheng-2024.yaml" --catalog "$CAT" --format csv && {
  awk -F, 'NR > 1 && $8 != "" { bad = 1 } END { exit bad }' "$TMP/out" && ok || bad "batch csv price not empty"; }

# --- charts ------------------------------------------------------------------
# A chart needs exactly one --vary key, and the help says so.
expect 2 "$HP" sweep "$TMP/one.yaml" --catalog "$FIX" --vary mfu=0.4:0.5:0.1 \
  --vary years=1:2:1 --chart "$TMP/k2.png" && {
  grep -q -- "--chart needs exactly one --vary key (2 given)" "$TMP/err" && [ ! -e "$TMP/k2.png" ] \
    && ok || bad "chart of two keys"; }
expect 0 "$HP" sweep --help && {
  grep -q -- "--chart needs exactly one --vary KEY" "$TMP/out" && ok || bad "sweep --help on --chart"; }
# Several scenarios: the chart draws the first and says so (in its subtitle
# and on stderr); with --scenario, no note.
sed 's/^  - name: s$/  - name: s\n  - name: t\n    mfu: 0.4/' "$TMP/one.yaml" > "$TMP/two.yaml"
expect 0 "$HP" sweep "$TMP/two.yaml" --catalog "$FIX" --vary constraints.domestic_share.min=0:1:0.25 \
  --chart "$TMP/two.png" && {
  grep -q "the chart shows scenario 's' only (1 of 2); --scenario NAME picks another" "$TMP/err" \
    && png_ok "$TMP/two.png" && ok || bad "multi-scenario sweep chart note"; }
expect 0 "$HP" sweep "$TMP/two.yaml" --catalog "$FIX" --vary constraints.domestic_share.min=0:1:0.25 \
  --scenario t --chart "$TMP/two-t.png" && {
  [ ! -s "$TMP/err" ] && png_ok "$TMP/two-t.png" && ok || bad "chart of a --scenario"; }
expect 0 "$HP" montecarlo "$TMP/two.yaml" --catalog "$FIX" --samples 20 --chart "$TMP/two-mc.svg" && {
  grep -q "the chart shows scenario 's' only (1 of 2)" "$TMP/err" && svg_ok "$TMP/two-mc.svg" \
    && ok || bad "multi-scenario montecarlo chart note"; }
# Edge cases drawn, not refused: one point; values rejected (exit 3, the
# chart still written); nothing feasible; no optimal sample; one sample.
expect 0 "$HP" sweep "$TMP/one.yaml" --catalog "$FIX" --vary mfu=0.5 --chart "$TMP/pt.png" && {
  png_ok "$TMP/pt.png" && ok || bad "one-point sweep chart"; }
expect 3 "$HP" sweep "$TMP/one.yaml" --catalog "$FIX" --vary mfu=1.5:0.1:-0.25 --chart "$TMP/rej.svg" && {
  svg_ok "$TMP/rej.svg" && grep -q "rows could not be solved" "$TMP/err" && ok || bad "chart with rejected values"; }
printf 'name: inf\ndefaults:\n  workload: {model: {params: 5e11}, tokens_per_day: 8.64e7}\n  mfu: 0.5\n  devices: [alpha-a]\n  constraints: {caps: {alpha-a: 8}}\nscenarios:\n  - name: s\nuncertain:\n  workload.tokens_per_day: {dist: uniform, min: 8.64e7, max: 1.728e8}\n' > "$TMP/cinf.yaml"
expect 0 "$HP" sweep "$TMP/cinf.yaml" --catalog "$FIX" --vary mfu=0.3:0.6:0.1 --chart "$TMP/cinf.svg" && {
  svg_ok "$TMP/cinf.svg" && ok || bad "all-infeasible sweep chart"; }
expect 0 "$HP" montecarlo "$TMP/cinf.yaml" --catalog "$FIX" --samples 20 --chart "$TMP/cinf-mc.png" && {
  png_ok "$TMP/cinf-mc.png" && grep -q "0 optimal, 20 infeasible" "$TMP/out" && ok || bad "no-optimal montecarlo chart"; }
expect 0 "$HP" montecarlo "$TMP/one.yaml" --catalog "$FIX" --samples 1 --chart "$TMP/mc1.svg" && {
  svg_ok "$TMP/mc1.svg" && ok || bad "one-sample montecarlo chart"; }
# Opex-only keys (TCO drawn) and long names in a batch (elided, thinned).
expect 0 "$HP" sweep "$TMP/one.yaml" --catalog "$FIX" --vary years=1:10:1 --chart "$TMP/years.svg" && {
  svg_ok "$TMP/years.svg" && ok || bad "TCO sweep chart"; }
{ printf 'name: a-plan-with-a-name-far-longer-than-its-group-of-bars-could-hold\n'
  printf 'defaults:\n  workload: {model: {params: 5e11}, tokens_per_day: 8.64e7}\n  mfu: 0.5\n  devices: [alpha-a, beta-b]\nscenarios:\n'
  for i in $(seq -w 0 39); do printf '  - name: scenario-%s-with-a-very-long-descriptive-name-that-ends-here\n' "$i"; done
} > "$TMP/forty.yaml"
expect 0 "$HP" batch "$TMP/forty.yaml" "$TMP/one.yaml" --catalog "$FIX" --chart "$TMP/forty.svg" && {
  svg_ok "$TMP/forty.svg" && ok || bad "batch chart of 41 long names"; }

# A name is text, even where setting one text in every scenario would make
# their names clash (which used to be the message).
expect 2 "$HP" sweep "$SRC/plans/doubao-mandate-sweep.yaml" --catalog "$CAT" --vary name=1 && {
  grep -q "'name' is not a numeric plan key" "$TMP/err" && ok || bad "--vary name: $(cat "$TMP/err")"; }

# A limit inside the plan file is bad input (exit 3, with its line), as for
# plan and batch; too many points on the command line is usage (exit 2).
{ printf 'name: c\ndefaults:\n  workload:\n    model: {params: 7e9}\n    tokens_per_day: 1e10\n    requests:\n'
  for i in $(seq 65); do printf '      - {name: c%d, share: 1, input_tokens: 100, output_tokens: 10}\n' "$i"; done
  printf '  devices: [alpha-a]\nscenarios: [{name: a}]\n'; } > "$TMP/c65.yaml"
expect_err 3 "c65.yaml:7:7: workload.requests: 65 classes, more than the limit of 64 (HP_MAX_CLASSES)" \
  "sweep: a plan-file limit" "$HP" sweep "$TMP/c65.yaml" --catalog "$FIX" --vary constraints.headroom=0:0.1:0.1
{ printf 'name: u\ndefaults:\n  workload: {model: {params: 7e9}, tokens_per_day: 1e10}\n  devices: [alpha-a]\nuncertain:\n'
  for k in workload.tokens_per_day workload.peak_factor mfu constraints.headroom pue utilisation years power_price_cny_per_kwh workload.seconds_per_day; do
    printf '  %s: {dist: uniform, min: 0.5, max: 0.9}\n' "$k"; done
  printf 'scenarios: [{name: a}]\n'; } > "$TMP/u9.yaml"
expect_err 3 "u9.yaml:6:3: uncertain: 9 keys, more than the limit of 8 (HP_WI_MAX_KEYS)" \
  "montecarlo: a plan-file limit" "$HP" montecarlo "$TMP/u9.yaml" --catalog "$FIX" --samples 2
expect_err 2 "1000001 points, more than the limit of 1000000 (HP_WI_MAX_POINTS)" \
  "sweep: too many points" "$HP" sweep "$TMP/u9.yaml" --catalog "$FIX" --vary constraints.headroom=0:1:0.000001

finish "whatif cli"
