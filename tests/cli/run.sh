#!/usr/bin/env bash
# CLI tests: golden reports, the bad-input corpus, exit codes, output files.
# usage: run.sh HETPLAN SOURCE_DIR   (run by ctest; set UPDATE=1 to rewrite
# the golden files after reviewing a deliberate change).
set -u
. "$(dirname "$0")/lib.sh" "$@"

# Golden reports of the shipped plans.
for plan in "$SRC"/tests/cli/golden/*.plan; do
  [ -e "$plan" ] || continue
  name=$(basename "$plan" .plan)
  read -r planfile fmt < "$plan"
  out="$TMP/$name.out"
  (cd "$SRC" && "$HP" plan "$planfile" --catalog devices --format "$fmt") > "$out" 2> "$TMP/$name.err"
  rc=$?
  want="$SRC/tests/cli/golden/$name.$fmt"
  if [ "${UPDATE:-0}" = 1 ]; then cp "$out" "$want"; fi
  if [ $rc -eq 0 ] && diff -u "$want" "$out" > "$TMP/$name.diff"; then ok; else
    bad "golden $name (exit $rc)"; head -40 "$TMP/$name.diff"; cat "$TMP/$name.err"; fi
done

# Bad plans: exit 3, nothing on stdout, the message names file:line:col.
check_bad() { # file expect-suffix command...
  local f=$1 expect=$2; shift 2
  "$@" > "$TMP/out" 2> "$TMP/err"
  local rc=$?
  if [ $rc -ne 3 ]; then bad "$f: exit $rc, want 3"; cat "$TMP/err"; return; fi
  if [ -s "$TMP/out" ]; then bad "$f: wrote to stdout"; return; fi
  if ! grep -qF -- "hetplan: $expect" "$TMP/err"; then
    bad "$f: message"; echo "  want: hetplan: $expect"; echo "  got:  $(cat "$TMP/err")"; return; fi
  ok
}
expect_of() { # the '# expect: ' line of a file, or its .expect sidecar
  local f=$1 side="${1%.yaml}.expect"
  if [ -f "$side" ]; then sed -n 's/^# expect: //p' "$side"; else sed -n '1s/^# expect: //p' "$f"; fi
}
for f in "$SRC"/tests/data/bad/plans/*.yaml; do
  check_bad "$f" "$f$(expect_of "$f")" "$HP" plan "$f" --catalog "$CAT"
done
for f in "$SRC"/tests/data/bad/devices/*.yaml; do
  d="$TMP/cat-$(basename "$f" .yaml)"
  mkdir -p "$d" && cp "$f" "$d/"
  check_bad "$f" "$d/$(basename "$f")$(expect_of "$f")" "$HP" devices --catalog "$d"
done

# A bad plan with -o leaves no output file behind.
"$HP" plan "$SRC/tests/data/bad/plans/unknown-key.yaml" --catalog "$CAT" -o "$TMP/o.json" 2>/dev/null
if [ $? -eq 3 ] && [ ! -e "$TMP/o.json" ] && ! compgen -G "$TMP/o.json*" > /dev/null && ! compgen -G "$TMP/.hp*" > /dev/null; then ok; else bad "-o on error left a file"; fi
# A good plan with -o writes the same bytes as stdout, and nothing on stdout.
(cd "$SRC" && "$HP" plan plans/doubao-minsheng-2024.yaml --catalog devices --format json -o "$TMP/o.json") > "$TMP/stdout"
(cd "$SRC" && "$HP" plan plans/doubao-minsheng-2024.yaml --catalog devices --format json) > "$TMP/direct.json"
if [ $? -eq 0 ] && [ ! -s "$TMP/stdout" ] && cmp -s "$TMP/o.json" "$TMP/direct.json"; then ok; else bad "-o output differs"; fi

# SIGINT in the middle of a long sweep leaves neither the output file nor
# a temporary file behind. (perl restores SIGINT's default action, which a
# non-interactive shell ignores for background jobs.)
perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV' "$HP" sweep "$SRC/plans/doubao-mandate-sweep.yaml" \
  --catalog "$CAT" --vary constraints.domestic_share.min=0:1:0.0001 --format csv \
  -o "$TMP/sweep.csv" > /dev/null 2>&1 &
pid=$!
sleep 1
kill -INT $pid
wait $pid
rc=$?
if [ $rc -eq 130 ] && ! compgen -G "$TMP/sweep.csv*" > /dev/null && ! compgen -G "$TMP/.hp*" > /dev/null; then ok; else
  bad "SIGINT mid-sweep: exit $rc, files: $(ls "$TMP" | grep sweep)"; fi

# Exit codes: usage 2, infeasible 4 (with its explanation on stderr).
expect_err 2 "hetplan: plan: missing the plan FILE" "missing FILE" "$HP" plan
expect_err 2 "hetplan: unknown command 'frobnicate'" "unknown command" "$HP" frobnicate
"$HP" plan x.yaml --format xml > /dev/null 2> "$TMP/err"; [ $? -eq 2 ] && grep -q "expected table, json, csv, md, xlsx or html, got 'xml'" "$TMP/err" && ok || bad "--format xml"
"$HP" plan "$TMP/none.yaml" --catalog "$CAT" > /dev/null 2> "$TMP/err"; [ $? -eq 3 ] && grep -q "none.yaml: cannot open" "$TMP/err" && ok || bad "missing plan file"
cat > "$TMP/inf.yaml" <<'PLAN'
name: inf
defaults:
  workload: {model: {params: 130e9}, tokens_per_day: 4.0e12, seconds_per_day: 129600, peak_factor: 4}
  devices: [nvidia-h20, huawei-ascend-910b3]
scenarios:
  - name: capped
    constraints: {caps: {nvidia-h20: 100000, huawei-ascend-910b3: 50000}}
PLAN
"$HP" plan "$TMP/inf.yaml" --catalog "$CAT" --format json > "$TMP/inf.json" 2> "$TMP/err"
rc=$?
if [ $rc -eq 4 ] && grep -q '"status": "infeasible"' "$TMP/inf.json" && grep -q "supply caps allow at most" "$TMP/err"; then ok; else bad "infeasible: exit $rc"; cat "$TMP/err"; fi
# An infeasible scenario bought nothing: null in JSON, empty in CSV, not 0.
if grep -q '"capex_cny": null' "$TMP/inf.json" && grep -q '"cost_per_mtok_cny": null' "$TMP/inf.json"; then ok; else bad "infeasible JSON: not null"; fi
"$HP" plan "$TMP/inf.yaml" --catalog "$CAT" --format csv 2> /dev/null | grep ',total,' > "$TMP/inf.csv"
if grep -q '^inf,capped,infeasible,total,,,,,,,,,[0-9]' "$TMP/inf.csv"; then ok; else bad "infeasible CSV: $(cat "$TMP/inf.csv")"; fi
# Caps below one server are named in the explanation.
cat > "$TMP/small.yaml" <<'PLAN'
name: small
scenarios:
  - name: s1
    devices: [nvidia-h20, huawei-ascend-910b3]
    workload: {model: {params: 7e9}, tokens_per_day: 1e10}
    constraints: {caps: {nvidia-h20: 2, huawei-ascend-910b3: 3}}
PLAN
expect_err 4 "nvidia-h20 capped at 2 cards, below one server of 8 cards" "caps below a server" "$HP" plan "$TMP/small.yaml" --catalog "$CAT"

# Figures checked by hand on the test catalog (tests/data/catalog): 5e11
# parameters at MFU 0.5 give alpha-a 8 x 25e12 x 0.5 / 1e12 = 100 tokens/s
# per server (1,000,000 CNY, 8 x 800 W) and beta-c 8 x 5e12 x 0.5 / 1e12 =
# 20 (300,000 CNY, 8 x 100 W, domestic); 8.64e7 tokens/day is 1,000
# tokens/s.
# The margin: 10 alpha-a servers, capex 1e7; 83.2 kW x 8760 h x 0.4 CNY/kWh
# = 291,532.8 CNY/year; TCO over 5 years 11,457,664 CNY over 8.64e7 x 365 x
# 5 tokens = 72.664 CNY per million tokens; at a price of 100, 27.3%.
printf 'name: margin\ndefaults:\n  workload: {model: {params: 5e11}, tokens_per_day: 8.64e7}\n  mfu: 0.5\n  devices: [alpha-a]\n  token_price_cny_per_mtok: 100\nscenarios:\n  - name: s\n' > "$TMP/margin.yaml"
"$HP" plan "$TMP/margin.yaml" --catalog "$FIX" > "$TMP/margin.txt" 2>&1
grep -qF "TCO over 5 years 11,457,664 CNY; 72.66 CNY per million tokens (price 100 CNY per million tokens: margin 27.3%)" "$TMP/margin.txt" \
  && ok || bad "margin: $(grep TCO "$TMP/margin.txt")"
# Shares on three bases that all differ: at least half the capex domestic
# (300,000 y >= 1,000,000 x) and 100 x + 20 y >= 1,000 tokens/s cost least
# at x = 6 alpha-a and y = 20 beta-c servers (6e6 + 6e6 CNY): domestic
# compute 400/1000 = 0.4, cards 160/208, capex 0.5.
printf 'name: share\ndefaults:\n  workload: {model: {params: 5e11}, tokens_per_day: 8.64e7}\n  mfu: 0.5\n  devices: [alpha-a, beta-c]\n  constraints: {domestic_share: {min: 0.5, basis: capex}}\nscenarios:\n  - name: s\n' > "$TMP/share.yaml"
"$HP" plan "$TMP/share.yaml" --catalog "$FIX" --format csv > "$TMP/share.csv" 2> "$TMP/err"
awk -F, 'function near(a, b) { return (a - b) ^ 2 < 1e-18 }
  NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i }
  $4 == "total" { n++; ok = $(col["cards"]) == 208 && $(col["servers"]) == 26 && $(col["capex_cny"]) == 12000000 \
    && near($(col["domestic_share_compute"]), 0.4) && near($(col["domestic_share_cards"]), 160 / 208) \
    && near($(col["domestic_share_capex"]), 0.5) }
  END { exit !(n == 1 && ok) }' "$TMP/share.csv" && ok || bad "CSV total shares: $(grep ',total,' "$TMP/share.csv")"
"$HP" plan "$TMP/share.yaml" --catalog "$FIX" > "$TMP/share.txt" 2>&1
grep -qF "domestic share: 40.0% of compute, 76.9% of cards, 50.0% of capex" "$TMP/share.txt" \
  && ok || bad "text shares: $(grep 'domestic share' "$TMP/share.txt")"
# The devices table stars weak (W) and estimated (E) figures, and only
# those: alpha-a with memory_gb at W, tdp_w at E, the rest V.
mkdir "$TMP/wcat"
sed 's/conf: E/conf: V/; /^  memory_gb:/s/conf: V/conf: W/; /^  tdp_w:/s/conf: V/conf: E/' "$FIX/alpha-a.yaml" > "$TMP/wcat/alpha-a.yaml"
"$HP" devices --catalog "$TMP/wcat" > "$TMP/wcat.txt" 2>&1
awk '$1 == "alpha-a" { n++; ok = $4 == "25.0" && $5 == "64*" && $6 == "1.000" && $7 == "800*" && $8 == "8" && $9 == "1,000,000" }
  END { exit !(n == 1 && ok) }' "$TMP/wcat.txt" && ok || bad "devices table stars: $(grep alpha-a "$TMP/wcat.txt")"

# Whole cards: servers are not rounded (11 cards fill 1.375 servers), and
# the table agrees with the CSV.
cat > "$TMP/card.yaml" <<'PLAN'
name: card
defaults: {workload: {model: {params: 7e9}, tokens_per_day: 5e9}, devices: [nvidia-h20], granularity: card}
scenarios:
  - name: a
PLAN
"$HP" plan "$TMP/card.yaml" --catalog "$CAT" > "$TMP/card.txt"
"$HP" plan "$TMP/card.yaml" --catalog "$CAT" --format csv > "$TMP/card.csv"
if grep -q "total: 11 cards, 1.375 servers" "$TMP/card.txt" && grep -q '^card,a,optimal,total,,,,11,1.375,' "$TMP/card.csv"; then ok; else
  bad "card granularity servers"; grep total "$TMP/card.txt" "$TMP/card.csv"; fi

# objective max_tokens: the tokens/day the capacity sustains, and the cost
# per million tokens over them (7.849e12 tokens/day: TCO / 7.849e12 / 365 / 5).
"$HP" plan "$SRC/plans/dongwu-80bn-budget.yaml" --catalog "$CAT" 2>&1 | head -8 > "$TMP/dw.txt"
awk '/sustains:/ { s = $2; gsub(",", "", s); tpd = s + 0 }
     /TCO over/ { gsub(",", "", $8); tco = $8 + 0; cost = $10 + 0 }
     END { want = tco / (tpd * 365 * 5) * 1e6;
           exit !(tpd > 0 && cost > 0 && (cost - want) / want < 1e-3 && (want - cost) / want < 1e-3) }' "$TMP/dw.txt" \
  && ok || bad "max_tokens cost per sustained token: $(grep -E 'sustains|TCO' "$TMP/dw.txt" | head -2)"

# A max_tokens budget below the cheapest server buys nothing: infeasible,
# with the cheapest server's price, in plan and sweep alike.
printf 'name: t\ndefaults: {objective: max_tokens, workload: {model: {params: 7e9}, tokens_per_day: 1e10}, devices: [nvidia-h20, huawei-ascend-910b3], constraints: {budget_cny: 1000}}\nscenarios:\n  - name: a\n' > "$TMP/mt.yaml"
expect_err 4 "budget_cny 1,000 CNY buys nothing: the cheapest server the plan can buy (nvidia-h20) costs 840,000 CNY" "budget below a server" "$HP" plan "$TMP/mt.yaml" --catalog "$CAT"
"$HP" sweep "$TMP/mt.yaml" --catalog "$CAT" --vary constraints.budget_cny=1000:1000000:999000 --format csv > "$TMP/mt.csv" 2> /dev/null
if grep -q '^1000,a,infeasible,' "$TMP/mt.csv" && grep -q '^1000000,a,optimal,840000,' "$TMP/mt.csv"; then ok; else bad "sweep budget below a server"; cat "$TMP/mt.csv"; fi

# max_tokens under the roofline model buys the workload's mix: each request
# class gets its share of the tokens (chat 1,200 of every 9,600 tokens:
# 12.5%), short by at most one server, not the whole budget on one class.
cat > "$TMP/mtr.yaml" <<PLAN
name: mtr
defaults:
  demand_model: roofline
  objective: max_tokens
  workload:
    model_file: $(cd "$SRC" && pwd)/models/llama-3-70b.yaml
    tokens_per_day: 1.0e10
    slo: {ttft_ms: 2000, tpot_ms: 50}
    requests:
      - {name: chat, share: 0.5, input_tokens: 1000, output_tokens: 200}
      - {name: doc,  share: 0.5, input_tokens: 8000, output_tokens: 400}
  devices: [nvidia-h20, huawei-ascend-910b3]
  constraints: {budget_cny: 1.0e8}
scenarios: [{name: a}]
PLAN
"$HP" plan "$TMP/mtr.yaml" --catalog "$CAT" > "$TMP/mtr.txt" 2>&1
awk '$1 == "chat" && $4 ~ /^[0-9,]+$/ { gsub(",", "", $4); chat += $4; one = $4 > one ? $4 : one }
     $1 == "doc" && $4 ~ /^[0-9,]+$/ { gsub(",", "", $4); doc += $4 }
     END { t = chat + doc; exit !(doc > 0 && chat >= 0.125 * t - 6000 && chat <= 0.5 * t) }' "$TMP/mtr.txt" \
  && ok || bad "max_tokens roofline mix: $(grep -E '^  (chat|doc) ' "$TMP/mtr.txt")"

# Plan CSV under the roofline model: one level "class" row per (class, SKU)
# assignment, as many as JSON's; a SKU's class rows add up to its device
# row (servers and capex); --compare-models gives the other answer's vendor
# rows too, one per vendor of its device rows.
(cd "$SRC" && "$HP" plan plans/doubao-roofline.yaml --catalog devices --compare-models --format csv) > "$TMP/rf.csv" 2> /dev/null
(cd "$SRC" && "$HP" plan plans/doubao-roofline.yaml --catalog devices --format json) > "$TMP/rf.json" 2> /dev/null
nj=$(grep -o '"request_class"' "$TMP/rf.json" | wc -l)
awk -F, -v nj="$nj" '$4 == "class" { n++; s[$2 "/" $5] += $9; c[$2 "/" $5] += $10; if ($23 == "" || $24 !~ /^[0-9]+$/) badrow++ }
  $4 == "device" { ds[$2 "/" $5] = $9; dc[$2 "/" $5] = $10 }
  $4 == "compare-device" { cv[$2 "/" $6] = 1 } $4 == "compare-vendor" { vv[$2 "/" $6] = 1 }
  END { for (k in ds) if (s[k] != ds[k] || (c[k] - dc[k]) ^ 2 > (1e-9 * dc[k]) ^ 2) exit 1
        for (k in s) if (!(k in ds)) exit 1
        for (k in cv) if (!(k in vv)) exit 1
        exit !(n == nj && n > 0 && !badrow && length(vv) == length(cv)) }' "$TMP/rf.csv" \
  && ok || bad "roofline CSV class rows ($nj in JSON): $(grep -c ',class,' "$TMP/rf.csv") rows"

# Figures the engine finishes (margin, model-comparison ratio, vendor
# power) are in the JSON report too, and the text prints the same ones.
(cd "$SRC" && "$HP" plan plans/doubao-roofline.yaml --catalog devices --compare-models --format json) > "$TMP/cmp.json" 2> /dev/null
(cd "$SRC" && "$HP" plan plans/doubao-roofline.yaml --catalog devices --compare-models) > "$TMP/cmp.txt" 2> /dev/null
jr=$(jq -r '.scenarios[0].compare_ratio' "$TMP/cmp.json")
tr=$(sed -n 's/.*roofline capex \/ flops capex = \([0-9.]*\).*/\1/p' "$TMP/cmp.txt" | head -1)
vp=$(jq '[.scenarios[0].vendors[].power_kw] | add' "$TMP/cmp.json")
lp=$(jq '[.scenarios[0].lines[].power_kw] | add' "$TMP/cmp.json")
awk -v jr="$jr" -v tr="$tr" -v vp="$vp" -v lp="$lp" 'BEGIN { exit !(tr != "" && sprintf("%.3f", jr) == tr && vp > 0 && (vp - lp) ^ 2 < 1e-12 * lp ^ 2) }' \
  && ok || bad "engine figures in JSON: compare_ratio $jr (text $tr), vendor power $vp kW (lines $lp)"
(cd "$SRC" && "$HP" plan plans/doubao-mandate-sweep.yaml --catalog devices --format json) > "$TMP/mg.json" 2> /dev/null
(cd "$SRC" && "$HP" plan plans/doubao-mandate-sweep.yaml --catalog devices) > "$TMP/mg.txt" 2> /dev/null
jm=$(jq -r '.scenarios[0].margin' "$TMP/mg.json")
tm=$(sed -n 's/.*margin \(-*[0-9.]*\)%.*/\1/p' "$TMP/mg.txt" | head -1)
awk -v jm="$jm" -v tm="$tm" 'BEGIN { exit !(tm != "" && sprintf("%.1f", 100 * jm) == tm) }' \
  && ok || bad "margin in JSON $jm, text $tm%"

# plan --chart draws the vendor mix; -o picks the format by its extension,
# and one it does not know is a usage error that writes nothing.
(cd "$SRC" && "$HP" plan plans/doubao-roofline.yaml --catalog devices --chart "$TMP/mix.svg" -o "$TMP/mix.json") 2> /dev/null
if [ $? -eq 0 ] && grep -q "<svg" "$TMP/mix.svg" && jq -e '.scenarios | length == 3' "$TMP/mix.json" > /dev/null; then ok; else bad "plan --chart"; fi
expect_err 2 "no-such-format.pdf: unknown extension '.pdf'" "-o FILE.pdf" "$HP" plan "$SRC/plans/doubao-minsheng-2024.yaml" --catalog "$CAT" -o "$TMP/no-such-format.pdf"
[ ! -e "$TMP/no-such-format.pdf" ] && ok || bad "-o FILE.pdf wrote a file"
expect_err 2 "names a workbook (.xlsx), but --format asks for another format" "--format json -o FILE.xlsx" "$HP" plan "$SRC/plans/doubao-minsheng-2024.yaml" --catalog "$CAT" --format json -o "$TMP/x.xlsx"
expect_err 2 "the catalog is written as table, json, csv or md" "devices -o FILE.html" "$HP" devices --catalog "$CAT" -o "$TMP/d.html"
expect_err 2 "plan: --chart needs a FILE.png or FILE.svg" "plan --chart without FILE" "$HP" plan "$SRC/plans/doubao-minsheng-2024.yaml" --chart
(cd "$SRC" && "$HP" plan plans/doubao-minsheng-2024.yaml --catalog devices -o "$TMP/p.xlsx" && "$HP" plan plans/doubao-minsheng-2024.yaml --catalog devices -o "$TMP/p.HTML") 2> /dev/null
if [ "$(head -c 2 "$TMP/p.xlsx")" = PK ] && grep -q "<!DOCTYPE html>" "$TMP/p.HTML"; then ok; else bad "-o FILE.xlsx / FILE.HTML"; fi

# Text for people has no scientific notation: a budget too low, a gap.
printf 'name: sci\ndefaults:\n  workload: {model: {params: 130e9}, tokens_per_day: 4.0e12}\n  devices: [nvidia-h20]\n  constraints: {budget_cny: 3.64326e+9}\nscenarios:\n  - name: a\n  - name: b\n    constraints: {budget_cny: 1e12}\n    solver: {mip_gap: 1.0e-5}\n' > "$TMP/sci.yaml"
"$HP" plan "$TMP/sci.yaml" --catalog "$CAT" > "$TMP/sci.txt" 2> "$TMP/sci.err"
if grep -q "budget_cny 3,643,260,000 CNY is too low: the cheapest plan that meets the other constraints costs 17,079,700,000 CNY" "$TMP/sci.err" \
  && grep -q "solver.mip_gap 0.00001)" "$TMP/sci.txt" && ! grep -qE "[0-9]e[-+]?[0-9]" "$TMP/sci.txt" "$TMP/sci.err"; then ok; else
  bad "scientific notation: $(grep -hE "[0-9]e[-+]?[0-9]|too low|mip_gap" "$TMP/sci.txt" "$TMP/sci.err")"; fi

# Under max_tokens the workload needs no volume: the budget sets it.
printf 'name: t\ndefaults: {objective: max_tokens, workload: {model: {params: 70e9}}, devices: [nvidia-h20], constraints: {budget_cny: 1e7}}\nscenarios:\n  - name: a\n' > "$TMP/mt2.yaml"
"$HP" plan "$TMP/mt2.yaml" --catalog "$CAT" > "$TMP/mt2.txt" 2>&1 \
  && grep -q "total: 88 cards, 11 servers" "$TMP/mt2.txt" && grep -q "sustains: " "$TMP/mt2.txt" \
  && ok || bad "max_tokens without a volume: $(head -3 "$TMP/mt2.txt")"

# A model file's sources name only figures it gives, each as a string.
printf 'name: m\nparams: 7e9\nsources:\n  params: "x"\n  layers: "y"\n' > "$TMP/m1.model"
printf 'name: t\nscenarios:\n  - name: a\n    devices: [nvidia-h20]\n    workload: {model_file: m1.model, tokens_per_day: 1e10}\n' > "$TMP/pm1.yaml"
expect_err 3 "m1.model:5:3: sources: 'layers' is not a figure given in this file" "model source for an absent figure" "$HP" plan "$TMP/pm1.yaml" --catalog "$CAT"
printf 'name: m\nparams: 7e9\nsources:\n  params:\n' > "$TMP/m1.model"
expect_err 3 "m1.model:4:10: sources.params: expected a string" "empty model source" "$HP" plan "$TMP/pm1.yaml" --catalog "$CAT"

# A measured profile sets MFU (GEMM over roof) and MBU (achieved over the
# catalog's peak bandwidth: 2,986.33 GB/s of 3.35 TB/s = 0.89), each
# applied to the catalog's peak once.
printf "name: t\nscenarios:\n  - name: a\n    devices: [nvidia-h100]\n    measured: {nvidia-h100: $(cd "$SRC" && pwd)/tests/opencl/data/h100_probe.yaml}\n    workload: {model: {params: 70e9}, tokens_per_day: 1e10}\n" > "$TMP/meas.yaml"
"$HP" explain "$TMP/meas.yaml" --catalog "$CAT" --device nvidia-h100 > "$TMP/meas.txt" 2>&1
grep -q "3.35 TB/s, .*MFU 0.54 (measured), MBU 0.89 (measured" "$TMP/meas.txt" && ok || bad "measured MBU: $(sed -n 2p "$TMP/meas.txt")"
# A profile that cannot give a card's efficiency: its position, and where
# the plan named it.
sed "s|h100_probe.yaml|no_gemm.yaml|" "$TMP/meas.yaml" > "$TMP/meas2.yaml"
expect_err 3 "no_gemm.yaml:[0-9]*:[0-9]*: .*(measured: for nvidia-h100 at .*meas2.yaml:5:29)" "measured error position" "$HP" plan "$TMP/meas2.yaml" --catalog "$CAT"

# GLPK's MIP presolver lets a point 0.44 kW past a 63 kW power row (its
# tolerance is absolute): the optimum is checked against the rows and
# searched again without it. 7 Gaudi3 (65.52 kW) or 6 + 1 H800 (63.44 kW)
# are the least power that serves the demand, so this is infeasible.
printf 'name: q\nscenarios:\n  - name: s\n    devices: [intel-gaudi3, nvidia-h20, nvidia-h800]\n    mfu: 0.35\n    workload: {model: {params: 7.0e10}, tokens_per_day: 10123640000, seconds_per_day: 43200}\n    constraints: {power_mw: 0.063}\n' > "$TMP/pw.yaml"
expect_err 4 "power_mw 0.063 MW is too low: meeting the other constraints needs at least 0.06344 MW" "power row past its limit" "$HP" plan "$TMP/pw.yaml" --catalog "$CAT"

# A max_tokens plan that buys nothing although the budget would: the
# constraint that forbids any purchase is named, not the budget.
printf 'name: q\nscenarios:\n  - name: s\n    devices: [alpha-a, gamma-d]\n    objective: max_tokens\n    workload: {model: {params: 5.0e11}}\n    constraints: {exclude_vendors: [Alpha], power_mw: 0.005, budget_cny: 1.0e8}\n' > "$TMP/mn2.yaml"
expect_err 4 "nothing can be bought: constraints.power_mw 0.005 MW is too low: meeting the other constraints needs at least 0.0104 MW" "max_tokens buys nothing" "$HP" plan "$TMP/mn2.yaml" --catalog "$FIX"

# Markdown cells escape '|'.
printf 'name: t\ndefaults: {workload: {model: {params: 7e9}, tokens_per_day: 1e10}, devices: [nvidia-h20]}\nscenarios:\n  - name: "h20 | ascend"\n' > "$TMP/pipe.yaml"
"$HP" batch "$TMP/pipe.yaml" --catalog "$CAT" --format md > "$TMP/pipe.md"
if grep -qF '| h20 \| ascend |' "$TMP/pipe.md" && [ "$(sed 's/\\|//g' "$TMP/pipe.md" | awk -F'|' 'NR == 3 { print NF }')" = "$(awk -F'|' 'NR == 1 { print NF }' "$TMP/pipe.md")" ]; then ok; else
  bad "md escaping"; cat "$TMP/pipe.md"; fi

# Plan CSV: a within_gap column only when a scenario allows a mip_gap, set
# on its total row; -o FILE's extension picks the format when --format is
# not given (.csv, .json, .md), and --format wins over it.
sed 's/^  mfu: 0.5$/  mfu: 0.5\n  solver: {mip_gap: 1.0e-5}/' "$SRC/plans/doubao-mix-2024.yaml" > "$TMP/gap.yaml"
"$HP" plan "$TMP/gap.yaml" --catalog "$CAT" --format csv > "$TMP/gap.csv" 2> /dev/null
"$HP" plan "$SRC/plans/doubao-mix-2024.yaml" --catalog "$CAT" --format csv > "$TMP/nogap.csv" 2> /dev/null
if head -1 "$TMP/gap.csv" | grep -q ',within_gap$' && ! head -1 "$TMP/nogap.csv" | grep -q within_gap \
  && grep -q '^doubao-mix-2024,end-2024,feasible; not proven optimal (gap at most 0.001%),total,.*,true$' "$TMP/gap.csv" \
  && grep -q '^doubao-mix-2024,share-on-cards,infeasible,total,.*,$' "$TMP/gap.csv"; then ok; else
  bad "plan CSV within_gap"; head -1 "$TMP/gap.csv"; grep ',total,' "$TMP/gap.csv"; fi
"$HP" plan "$SRC/plans/doubao-minsheng-2024.yaml" --catalog "$CAT" -o "$TMP/ext.csv" 2> /dev/null
"$HP" plan "$SRC/plans/doubao-minsheng-2024.yaml" --catalog "$CAT" -o "$TMP/ext.JSON" 2> /dev/null
"$HP" plan "$SRC/plans/doubao-minsheng-2024.yaml" --catalog "$CAT" -o "$TMP/ext.md" 2> /dev/null
"$HP" plan "$SRC/plans/doubao-minsheng-2024.yaml" --catalog "$CAT" -o "$TMP/ext2.csv" --format md 2> /dev/null
if head -1 "$TMP/ext.csv" | grep -q '^plan,scenario,status,level,' && head -c 1 "$TMP/ext.JSON" | grep -q '{' \
  && head -1 "$TMP/ext.md" | grep -q '^# Plan ' && head -1 "$TMP/ext2.csv" | grep -q '^# Plan '; then ok; else
  bad "-o extension picks the format"; head -1 "$TMP/ext.csv" "$TMP/ext.JSON" "$TMP/ext.md" "$TMP/ext2.csv"; fi

# A key naming a card no scenario buys changes nothing: plan, batch and
# sweep warn with its file:line:col and go on (exit 0, the report written);
# the shipped plans have none.
cat > "$TMP/unused.yaml" <<'PLAN'
name: unused
defaults:
  workload: {model: {params: 1e9}, tokens_per_day: 1e12}
scenarios:
  - name: a
    devices: [huawei-ascend-910c]
    overrides: {nvidia-h20-141g: {price_server_cny: 900000}}
PLAN
want="unused.yaml:7:17: warning: overrides.nvidia-h20-141g: no scenario it applies to lists card 'nvidia-h20-141g' among its devices, so it changes nothing"
for cmd in plan batch "sweep --vary mfu=0.4:0.5:0.1"; do
  expect 0 "$HP" $cmd "$TMP/unused.yaml" --catalog "$CAT" && {
    grep -qF "$want" "$TMP/err" && grep -q 'a' "$TMP/out" && ok || bad "unused key warning ($cmd): $(cat "$TMP/err")"; }
done
# sweep warns before it runs, so a run that then fails (a --vary key that
# is not in the plan: exit 2) still says it, first.
expect 2 "$HP" sweep "$TMP/unused.yaml" --catalog "$CAT" --vary nope=1:2:1 && {
  [ "$(grep -c . "$TMP/err")" = 2 ] && head -1 "$TMP/err" | grep -qF "$want" &&
    tail -1 "$TMP/err" | grep -q "nope" && ok || bad "warning before a failed sweep: $(cat "$TMP/err")"; }
# (Their market warnings, for cards that can no longer be ordered, are
# meant: the 2024 plans are what-ifs in 2026.)
for p in "$SRC"/plans/*.yaml; do
  "$HP" plan "$p" --catalog "$CAT" > /dev/null 2> "$TMP/err"
  ! grep -q 'warning:.*changes nothing' "$TMP/err" && ok || bad "$p: $(grep warning: "$TMP/err")"
done

# The catalog lists every device file, in every format.
n=$(ls "$CAT"/*.yaml | wc -l)
"$HP" devices --catalog "$CAT" > "$TMP/dev.txt" && grep -q "^$n devices" "$TMP/dev.txt" && ok || bad "devices table count"
"$HP" devices --catalog "$CAT" --format csv | tail -n +2 | wc -l | grep -qx "$n" && ok || bad "devices csv count"
# Every card's market status (with its date and source) and price date,
# in the JSON; one card in full; an unknown card is a usage error.
if command -v python3 > /dev/null; then
  "$HP" devices --catalog "$CAT" --format json | python3 -c '
import json, sys, datetime
d = json.load(sys.stdin)["devices"]
for c in d:
    m = c["market"]
    assert m["china"] in ("available", "restricted", "unavailable"), c["id"]
    datetime.date.fromisoformat(m["as_of"]); datetime.date.fromisoformat(c["price_as_of"])
    assert len(m["ref"]) > 20 and all(e["ref"] for e in c["sources"].values()), c["id"]
print(len(d))' | grep -qx "$n" && ok || bad "devices json: market and price dates"
fi
"$HP" devices nvidia-h20 --catalog "$CAT" > "$TMP/one.txt" && grep -q "^new orders in China: unavailable as of 2025-08-24" "$TMP/one.txt" \
  && grep -q "^prices as of: 2024-12-26" "$TMP/one.txt" && ok || bad "devices ID: $(head -5 "$TMP/one.txt")"
"$HP" devices nvidia-h21 --catalog "$CAT" > "$TMP/one.txt" 2>&1; [ $? -eq 2 ] \
  && grep -qF "no card 'nvidia-h21' in the catalog (did you mean 'nvidia-h20'?)" "$TMP/one.txt" && ok || bad "devices unknown ID: $(cat "$TMP/one.txt")"

# CLBlast is loaded when the GEMM bench first runs. Without it (a broken
# libclblast.so.1 first on the search path) the probe still measures the
# rest, and the GEMM figures carry the reason and the package to install.
mkdir "$TMP/nolib" && echo "not a library" > "$TMP/nolib/libclblast.so.1"
LD_LIBRARY_PATH="$TMP/nolib" "$HP" probe --quick --format json -o "$TMP/probe.json" > "$TMP/out" 2> "$TMP/err"
rc=$?
if [ $rc -eq 0 ] && grep -q '"sgemm_gflops": null' "$TMP/probe.json" \
  && grep -q 'CLBlast (libclblast.so.1) could not be loaded: .*apt-get install libclblast1' "$TMP/probe.json" \
  && grep -q '"mem_bw_gbps": [0-9]' "$TMP/probe.json"; then ok; else
  bad "probe without CLBlast: exit $rc"; cat "$TMP/err"; fi

# --- Correct at the edges (issue 19): files, signals, names, leniencies ---
# Files that are not files: a FIFO is refused at once, named, exit 3 (it
# used to block forever waiting for a writer: `timeout` turns a hang into
# a failure), and so are a directory and a loop of symbolic links.
mkdir -p "$TMP/fcat" "$TMP/models"
cp "$FIX"/alpha-a.yaml "$TMP/fcat/"
mkfifo "$TMP/fcat/x.yaml" "$TMP/models/fifo-model.yaml" "$TMP/plan-fifo.yaml"
ln -s loop-model.yaml "$TMP/models/loop-model.yaml"
expect_err 3 "fcat/x.yaml: is a FIFO (named pipe), not a regular file" "FIFO in the catalog" \
  timeout 20 "$HP" devices --catalog "$TMP/fcat"
rm "$TMP/fcat/x.yaml" && mkdir "$TMP/fcat/d.yaml"
expect_err 3 "fcat/d.yaml: is a directory, not a regular file" "directory in the catalog" \
  timeout 20 "$HP" devices --catalog "$TMP/fcat"
for m in "model: {name: fifo-model}" "model_file: $TMP/models/fifo-model.yaml"; do
  cat > "$TMP/mplan.yaml" <<PLAN
name: t
scenarios:
  - name: a
    workload: {$m, tokens_per_day: 1e9}
    devices: [nvidia-h20]
PLAN
  HETPLAN_MODELS="$TMP/models" expect_err 3 "models/fifo-model.yaml: is a FIFO (named pipe), not a regular file" \
    "FIFO as a model file ($m)" timeout 20 "$HP" plan "$TMP/mplan.yaml" --catalog "$CAT"
done
for m in "model: {name: loop-model}" "model_file: $TMP/models/loop-model.yaml"; do
  sed -i "4s|.*|    workload: {$m, tokens_per_day: 1e9}|" "$TMP/mplan.yaml"
  HETPLAN_MODELS="$TMP/models" expect_err 3 "models/loop-model.yaml: cannot open: a loop of symbolic links" \
    "symlink loop as a model file ($m)" timeout 20 "$HP" plan "$TMP/mplan.yaml" --catalog "$CAT"
done
for cmd in plan batch "sweep --vary mfu=0.5" montecarlo "explain --device nvidia-h20"; do
  expect_err 3 "plan-fifo.yaml: is a FIFO (named pipe), not a regular file" "FIFO as the plan ($cmd)" \
    timeout 20 "$HP" $cmd "$TMP/plan-fifo.yaml" --catalog "$CAT"
done
expect_err 3 "plan-fifo.yaml: is a FIFO" "FIFO as the fake backend's profile" \
  timeout 20 "$HP" probe --fake-file "$TMP/plan-fifo.yaml"

# Under `ulimit -f` a write past the limit is an output error (exit 6)
# naming the file: the old file stays, no temporary file is left (SIGXFSZ
# used to kill the run mid-write, leaving out.csv.tmp.XXXXXX). To stdout
# likewise: exit 6, not a death by signal.
mkdir "$TMP/fsz" && echo "old" > "$TMP/fsz/out.csv"
(ulimit -f 1; exec "$HP" sweep "$SRC/plans/doubao-mandate-sweep.yaml" --catalog "$CAT" \
  --vary constraints.domestic_share.min=0:1:0.01 --format csv -o "$TMP/fsz/out.csv") > /dev/null 2> "$TMP/err"
rc=$?
if [ $rc -eq 6 ] && grep -q "out.csv: write failed: File too large (the file size limit, \`ulimit -f\`, was reached)" "$TMP/err" \
  && [ "$(cat "$TMP/fsz/out.csv")" = old ] && [ "$(ls -A "$TMP/fsz")" = out.csv ]; then ok; else
  bad "ulimit -f with -o: exit $rc, files: $(ls -A "$TMP/fsz"): $(cat "$TMP/err")"; fi
(ulimit -f 1; exec "$HP" sweep "$SRC/plans/doubao-mandate-sweep.yaml" --catalog "$CAT" \
  --vary constraints.domestic_share.min=0:1:0.01 --format csv) > "$TMP/fsz/stdout.csv" 2> "$TMP/err"
rc=$?
if [ $rc -eq 6 ] && grep -q "cannot write to standard output" "$TMP/err"; then ok; else
  bad "ulimit -f to stdout: exit $rc: $(cat "$TMP/err")"; fi

# Under `ulimit -v 100000` the what-if workers share malloc arenas: 501
# sweep points and 500 samples take a second of CPU time, as without the
# limit. (They took about 40 s of CPU each, mostly in mmap and munmap: a
# worker whose arena could not be reserved got one mmap per allocation.)
# Skipped where the binary cannot start under the limit (sanitizers).
if (ulimit -v 100000; "$HP" --version > /dev/null 2>&1) 2> /dev/null; then
  for cmd in "sweep --vary constraints.domestic_share.min=0:1:0.002 --scenario end-2024" \
             "montecarlo --samples 500"; do
    p=$SRC/plans/doubao-mandate-sweep.yaml
    case $cmd in montecarlo*) p=$SRC/plans/doubao-montecarlo.yaml ;; esac
    (ulimit -v 100000; exec timeout 30 "$HP" $cmd "$p" --catalog "$CAT" --format csv) > "$TMP/out" 2> "$TMP/err"
    rc=$?
    if [ $rc -eq 0 ] && [ "$(wc -l < "$TMP/out")" -gt 20 ]; then ok; else
      bad "ulimit -v 100000 ($cmd): exit $rc (124: over 30 s): $(head -3 "$TMP/err")"; fi
  done
else
  echo "cli: skipped the ulimit -v checks: $HP does not start under ulimit -v 100000"
fi

# A legal 255-byte file name works with -o (the temporary name was the
# target's plus 11 bytes: "File name too long"), new or replaced.
long="$TMP/$(printf 'r%.0s' $(seq 250)).json"
for i in 1 2; do
  expect 0 "$HP" plan "$SRC/plans/doubao-minsheng-2024.yaml" --catalog "$CAT" -o "$long" &&
    { head -c 1 "$long" | grep -q '{' && ok || bad "255-byte -o name: not written"; }
done
rm -f "$long"

# Leniencies: a trailing ':' in --vary and blanks around counts are usage
# errors (exit 2), as any other malformed value.
expect_err 2 "expected KEY=START:STOP:STEP or KEY=VALUE" "--vary trailing ':'" \
  "$HP" sweep "$SRC/plans/doubao-mandate-sweep.yaml" --catalog "$CAT" --vary mfu=0.4:0.5:0.1:
for opt in "--samples ' 5'" "--samples '5 '" "--threads ' 2'" "--seed ' 1'" "--samples '+5'"; do
  eval "set -- $opt"
  expect_err 2 "$1: expected" "strict $opt" \
    "$HP" montecarlo "$SRC/plans/doubao-montecarlo.yaml" --catalog "$CAT" "$1" "$2"
done
# ... and the opposite: a key whose children are all commented out is
# null, which reads as an empty mapping: the plan solves as without it,
# in a scenario and in defaults alike.
cat > "$TMP/nullc.yaml" <<'PLAN'
name: nullc
defaults:
  workload: {model: {params: 1e9}, tokens_per_day: 1e12}
  devices: [nvidia-h20, huawei-ascend-910b3]
  constraints:
    caps: {nvidia-h20: 800}
scenarios:
  - name: a
    constraints:
      # domestic_share: {min: 0.5}
      # caps: {nvidia-h20: 100}
    overrides:
PLAN
sed -e '/^    constraints:$/d' -e '/^      #/d' -e '/^    overrides:$/d' "$TMP/nullc.yaml" > "$TMP/nullc-none.yaml"
"$HP" plan "$TMP/nullc-none.yaml" --catalog "$CAT" --format csv > "$TMP/nullc-none.csv" 2>&1
expect 0 "$HP" plan "$TMP/nullc.yaml" --catalog "$CAT" --format csv &&
  { cmp -s "$TMP/out" "$TMP/nullc-none.csv" && ok || bad "null constraints: report differs"; }
printf 'name: nulld\ndefaults:\nscenarios:\n  - name: a\n    workload: {model: {params: 1e9}, tokens_per_day: 1e12}\n    devices: [nvidia-h20]\n    constraints: ~\n' > "$TMP/nulld.yaml"
expect 0 "$HP" plan "$TMP/nulld.yaml" --catalog "$CAT" && ok
# A sweep sets a key under a null mapping as under an empty one.
expect 0 "$HP" sweep "$TMP/nulld.yaml" --catalog "$CAT" --vary constraints.domestic_share.min=0 --format csv &&
  { grep -q "^0,a,optimal," "$TMP/out" && ok || bad "sweep under a null mapping: $(head -2 "$TMP/out")"; }

# solver.engine: GLPK, CBC and auto prove the same optimum (the cards,
# servers and capex of every scenario's total row agree).
cat > "$TMP/eng.yaml" <<'EOF2'
name: eng
defaults:
  workload: {model: {params: 130e9}, tokens_per_day: 4.0e12, peak_factor: 4}
  mfu: 0.5
  devices: [nvidia-h20, nvidia-l20, huawei-ascend-910b3, cambricon-mlu590,
            hygon-bw200]
  constraints: {domestic_share: {min: 0.3},
                caps: {nvidia-h20: 100000, vendor.Huawei: 80000}}
scenarios:
  - {name: glpk, solver: {engine: glpk}}
  - {name: cbc, solver: {engine: cbc}}
  - {name: auto, solver: {engine: auto}}
EOF2
"$HP" plan "$TMP/eng.yaml" --catalog "$CAT" --format csv > "$TMP/eng.csv" 2>/dev/null
n=$(awk -F, '$4 == "total" { print $8 "," $9 "," $10 }' "$TMP/eng.csv" | sort -u | wc -l)
t=$(awk -F, '$4 == "total"' "$TMP/eng.csv" | wc -l)
[ "$t" = 3 ] && [ "$n" = 1 ] && ok || bad "solver.engine: totals differ or missing: $(grep ',total,' "$TMP/eng.csv")"

# plan --write-lp: each scenario's program as CPLEX LP, named by SKU and
# constraint; cbc (and glpsol) solve the file to the plan's own capex.
mkdir -p "$TMP/lp"
"$HP" plan "$SRC/plans/doubao-mix-2024.yaml" --catalog "$CAT" --write-lp "$TMP/lp" --format csv > "$TMP/lp.csv" 2>/dev/null
[ -f "$TMP/lp/01-end-2024.lp" ] && [ -f "$TMP/lp/07-impossible-mandate.lp" ] \
  && grep -q "caps.vendor.Huawei: + 8 huawei_ascend_910b2" "$TMP/lp/01-end-2024.lp" && ok || bad "--write-lp files: $(ls "$TMP/lp")"
want=$(awk -F, '$2 == "end-2024" && $4 == "total" { print $10 }' "$TMP/lp.csv")
if command -v cbc > /dev/null; then
  got=$(cbc "$TMP/lp/01-end-2024.lp" solve 2>/dev/null | awk '/^Objective value:/ { print $3 }')
  awk -v g="$got" -v w="$want" 'BEGIN { exit !(w > 0 && g - w < 1e-6 * w && w - g < 1e-6 * w) }' \
    && ok || bad "--write-lp: cbc solves the file to '$got', the plan says '$want'"
else
  echo "SKIP: cbc not installed (scripts/install-deps.sh installs coinor-cbc)"
fi
expect 6 "$HP" plan "$SRC/plans/doubao-mix-2024.yaml" --catalog "$CAT" --write-lp "$TMP/no-such-dir" &&
  { grep -q "not a directory" "$TMP/err" && ok || bad "--write-lp into a missing directory: $(cat "$TMP/err")"; }

finish "cli"
