#!/usr/bin/env bash
# CLI tests of output that can't hurt: a plan whose names hold an escape
# sequence, a newline, '|' and a spreadsheet formula, and a device whose
# vendor holds '|', a newline, an escape sequence and a C1 control
# (tests/data/escape), through every command and format. Each output must
# hold no control byte but its line ends, keep its table columns, keep CSV
# formulas inert and read back in JSON as the names the files gave.
# usage: escape.sh HETPLAN SOURCE_DIR   (run by ctest)
set -euo pipefail
. "$(dirname "$0")/lib.sh" "$@"
D="$SRC/tests/data/escape"
PLAN="$D/evil.yaml"
DEV=(--catalog "$D/devices")
# The names as the renderers must show them (printf %s: no escapes made).
SCEN_TXT='=HYPERLINK("x")|\x1b[31mred\nline'
SCEN_MD='=HYPERLINK("x")\|\x1b\[31mred\nline'
PLAN_TXT='evil\x1b]0;pwned\x07plan'
VEND_TXT='Ev|l\nVendor\x1b[2J\u009b'
VEND_MD='Ev\|l\nVendor\x1b\[2J\u009b'
# And as the files give them (JSON must read back these).
SCEN_RAW=$'=HYPERLINK("x")|\e[31mred\nline'
PLAN_RAW=$'evil\e]0;pwned\aplan'
VEND_RAW=$'Ev|l\nVendor\e[2J\u009b'

# clean FILE WHAT: no C0 control but newline, no DEL, no C1 (as UTF-8 or a
# lone byte), no byte that is not UTF-8.
clean() {
  if LC_ALL=C grep -qaP '[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' "$1"; then
    bad "$2: a control character written raw: $(LC_ALL=C grep -naP '[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]' "$1" | head -2 | od -c | head -3)"
    return 1
  fi
  if ! iconv -f UTF-8 -t UTF-8 "$1" > /dev/null 2>&1; then
    bad "$2: not valid UTF-8"
    return 1
  fi
  return 0
}
# has FILE TEXT WHAT: FILE holds TEXT (a fixed string) on one line.
has() {
  if grep -qF -- "$2" "$1"; then return 0; fi
  bad "$3: no line holds '$2'"
  return 1
}
# md_tables FILE WHAT: in each block of table lines ('|' first), every line
# has as many unescaped '|' as its header.
md_tables() {
  awk -v what="$2" '
    /^\|/ { l = $0; gsub(/\\\\/, "", l); gsub(/\\\|/, "", l); n = gsub(/\|/, "", l)
            if (!inb) { want = n; inb = 1 } else if (n != want) { printf "FAIL: %s: line %d has %d cells'"'"' bars, its header %d\n", what, NR, n, want; bad = 1 }
            next }
    { inb = 0 }
    END { exit bad }' "$1" && ok || { fail=$((fail + 1)); return 1; }
}
# table_aligned FILE HEADWORD WHAT: the text table whose header line starts
# with HEADWORD keeps its columns: wherever its rule line (the dashes) has
# a gap between columns, the header and every row have a space too.
table_aligned() {
  awk -v h="$2" -v what="$3" '
    function check(line, no,   i) {
      for (i = 1; i <= length(rule); i++)
        if (substr(rule, i, 1) == " " && substr(line, i, 1) != " ") {
          printf "FAIL: %s: line %d leaves its column at %d\n", what, no, i; bad = 1; return }
    }
    !inb && $1 == h { inb = 1; head = $0; hno = NR; next }
    inb == 1 { rule = $0; inb = 2; check(head, hno); next }
    inb == 2 && NF == 0 { exit }
    inb == 2 { n++; check($0, NR) }
    END { if (!n) { printf "FAIL: %s: no table under %s\n", what, h; bad = 1 } exit bad }' "$1" \
    && ok || { fail=$((fail + 1)); return 1; }
}
# csv_rect FILE WHAT: every record is one line with the header's field
# count (quoted fields taken out first), and no field starts as a formula.
csv_rect() {
  local f
  f=$(sed -E 's/"[^"]*"//g' "$1" | awk -F, 'NR == 1 { n = NF } NF != n { print NR; exit }')
  [ -z "$f" ] || { bad "$2: record $f has another field count (a field spans lines?)"; return 1; }
  if grep -qE '(^|,)"?[=+@]' "$1"; then
    bad "$2: a field starts as a formula: $(grep -E '(^|,)"?[=+@]' "$1" | head -1)"
    return 1
  fi
  ok
}
# json_is FILE JQ_PATH RAW WHAT: the JSON string at the path reads back RAW
# (jq: scripts/install-deps.sh installs it).
json_is() {
  local got
  command -v jq > /dev/null || { echo "SKIP: $4: no jq to read JSON back"; return 0; }
  got=$(jq -j "$2" "$1") || { bad "$4: not JSON"; return 1; }
  [ "$got" = "$3" ] && ok || bad "$4: $2 reads back $(printf %s "$got" | od -c | head -2)"
}

# --- plan ------------------------------------------------------------------
expect 0 "$HP" plan "$PLAN" "${DEV[@]}" && {
  clean "$TMP/out" "plan table" && has "$TMP/out" "$PLAN_TXT / $SCEN_TXT: optimal" "plan table" \
    && has "$TMP/out" "  $VEND_TXT  no " "plan table vendor" && ok
  table_aligned "$TMP/out" vendor "plan table (vendors)" || true
  table_aligned "$TMP/out" device "plan table (devices)" || true; }
expect 0 "$HP" plan "$PLAN" "${DEV[@]}" --format md && {
  clean "$TMP/out" "plan md" && has "$TMP/out" "# Plan $PLAN_TXT" "plan md" \
    && has "$TMP/out" "## $SCEN_MD (optimal)" "plan md" && has "$TMP/out" "| $VEND_MD |" "plan md vendor" && ok
  md_tables "$TMP/out" "plan md" || true; }
expect 0 "$HP" plan "$PLAN" "${DEV[@]}" --format csv && {
  clean "$TMP/out" "plan csv" && has "$TMP/out" "$PLAN_TXT,\"'=HYPERLINK(\"\"x\"\")|\\x1b[31mred\\nline\",optimal,device,evil-v,$VEND_TXT," "plan csv" && ok
  [ "$(wc -l < "$TMP/out")" -eq 7 ] && ok || bad "plan csv: $(wc -l < "$TMP/out") lines, want 7 (header + 2 x 3 rows)"
  csv_rect "$TMP/out" "plan csv" || true; }
expect 0 "$HP" plan "$PLAN" "${DEV[@]}" --format json && {
  clean "$TMP/out" "plan json" && ok
  json_is "$TMP/out" .plan "$PLAN_RAW" "plan json" || true
  json_is "$TMP/out" '.scenarios[0].name' "$SCEN_RAW" "plan json" || true
  json_is "$TMP/out" '.scenarios[0].vendors[0].vendor' "$VEND_RAW" "plan json" || true; }

# --- devices ---------------------------------------------------------------
for f in table md csv json; do
  expect 0 "$HP" devices "${DEV[@]}" --format $f && clean "$TMP/out" "devices $f" && ok
  case $f in
    table) table_aligned "$TMP/out" id "devices table" || true ;;
    md) md_tables "$TMP/out" "devices md" || true ;;
    csv) csv_rect "$TMP/out" "devices csv" || true
      has "$TMP/out" "evil-v,$VEND_TXT,'@SUM(1+1)\\tcard,false," "devices csv" && ok ;;
    json) json_is "$TMP/out" '.devices[0].vendor' "$VEND_RAW" "devices json" || true ;;
  esac
done

# --- explain ---------------------------------------------------------------
expect 0 "$HP" explain "$PLAN" "${DEV[@]}" --device evil-v && {
  clean "$TMP/out" "explain" && has "$TMP/out" "evil-v (@SUM(1+1)\\tcard), scenario '$SCEN_TXT'" "explain" && ok; }

# --- sweep, Monte Carlo, batch ---------------------------------------------
SW=("$HP" sweep "$PLAN" "${DEV[@]}" --vary mfu=0.4:0.5:0.1)
MC=("$HP" montecarlo "$PLAN" "${DEV[@]}" --samples 20)
BA=("$HP" batch "$PLAN" "${DEV[@]}")
for f in table md csv json; do
  for c in SW MC BA; do
    declare -n cmd=$c
    expect 0 "${cmd[@]}" --format $f || continue
    clean "$TMP/out" "$c $f" && ok
    case $f in
      md) md_tables "$TMP/out" "$c md" || true ;;
      csv) csv_rect "$TMP/out" "$c csv" || true ;;
      json) json_is "$TMP/out" 'type' object "$c json" || true ;;
    esac
  done
done
expect 0 "${SW[@]}" && has "$TMP/out" "Sweep of plan $PLAN_TXT (" "sweep table" \
  && has "$TMP/out" " $SCEN_TXT  optimal " "sweep table" && has "$TMP/out" "$VEND_TXT (cards)" "sweep table" && ok
expect 0 "${SW[@]}" --format csv && has "$TMP/out" "cards.$VEND_TXT," "sweep csv" \
  && has "$TMP/out" ",\"'=HYPERLINK(\"\"x\"\")|\\x1b[31mred\\nline\",optimal," "sweep csv" && ok
expect 0 "${SW[@]}" --format json && { json_is "$TMP/out" '.rows[0].scenario' "$SCEN_RAW" "sweep json" || true; }
expect 0 "${MC[@]}" && has "$TMP/out" "Monte Carlo of plan $PLAN_TXT (" "montecarlo table" \
  && has "$TMP/out" "scenario $SCEN_TXT" "montecarlo table" && ok
expect 0 "${MC[@]}" --format md && has "$TMP/out" "### $PLAN_TXT / $SCEN_MD" "montecarlo md" && ok
expect 0 "${MC[@]}" --format csv && has "$TMP/out" "\"'=HYPERLINK(\"\"x\"\")|\\x1b[31mred\\nline\",capex" "montecarlo csv" && ok
expect 0 "${BA[@]}" && has "$TMP/out" "evil.yaml  $SCEN_TXT  optimal" "batch table" && ok
table_aligned "$TMP/out" plan "batch table" || true
# A plan file whose own name holds an escape sequence and a newline, and
# does not load: its row, its reason and stderr show the name escaped.
BADF=$'bad\e[2J\n.yaml'
printf 'name: [unclosed\n' > "$TMP/$BADF"
expect 3 "$HP" batch "$PLAN" "$TMP/$BADF" "${DEV[@]}" && {
  clean "$TMP/out" "batch with a bad file" && clean "$TMP/err" "batch stderr" \
    && has "$TMP/out" 'bad\x1b[2J\n.yaml' "batch bad file" && ok; }
expect 3 "$HP" batch "$PLAN" "$TMP/$BADF" "${DEV[@]}" --format md && {
  clean "$TMP/out" "batch md with a bad file" && md_tables "$TMP/out" "batch md with a bad file" || true; }
# Charts: drawn whole (cairo refuses text that is not UTF-8), when this
# build can draw them.
if "$HP" sweep "$PLAN" "${DEV[@]}" --vary mfu=0.4:0.5:0.1 --chart "$TMP/c.svg" > /dev/null 2> "$TMP/err"; then
  [ -s "$TMP/c.svg" ] && clean "$TMP/err" "sweep --chart stderr" && ok || bad "sweep chart"
elif grep -q "cairo" "$TMP/err"; then
  echo "SKIP: charts: $(head -1 "$TMP/err")"
else bad "sweep --chart: $(cat "$TMP/err")"; fi

# --- probe profiles (names from a driver) ----------------------------------
PROF="$D/profile.yaml"
if "$HP" probe --fake-file "$PROF" --device 0:0 > "$TMP/out" 2> "$TMP/err"; then
  clean "$TMP/out" "probe table" && clean "$TMP/err" "probe stderr" \
    && has "$TMP/out" 'device 0:0: H100\x1b[2J\nfake\u009b' "probe table" \
    && has "$TMP/out" 'vendor NV|\x1b]0;x\x07,' "probe table" && ok
  expect 0 "$HP" probe --fake-file "$PROF" --device 0:0 --compare "$PROF" && {
    clean "$TMP/out" "probe --compare" && has "$TMP/out" 'device 0:0: H100\x1b[2J\nfake\u009b (old: 0:0)' "probe --compare" && ok; }
  expect 0 "$HP" probe --fake-file "$PROF" --device 0:0 --format json && {
    clean "$TMP/out" "probe json" && ok
    json_is "$TMP/out" '.devices[0].name' $'H100\e[2J\nfake\u009b' "probe json" || true; }
  # A profile saved with such names reads back (libyaml refuses raw
  # control characters in a file), and with the same names.
  expect 0 "$HP" probe --fake-file "$PROF" --device 0:0 -o "$TMP/saved.yaml" \
    && expect 0 "$HP" probe --fake-file "$TMP/saved.yaml" --device 0:0 --format json \
    && { json_is "$TMP/out" '.devices[0].name' $'H100\e[2J\nfake\u009b' "saved profile" || true; }
elif grep -q "no device backends\|no backend" "$TMP/err"; then
  echo "SKIP: probe: $(head -1 "$TMP/err")"
else bad "probe --fake-file: $(cat "$TMP/err")"; fi

# --- messages on stderr ----------------------------------------------------
# A diagnostic that quotes a name from the plan.
cat > "$TMP/unknown.yaml" <<'EOF'
name: u
defaults:
  workload: {model: {params: 5e11}, tokens_per_day: 8.64e7}
  devices: ["no\e[2Jsuch\ncard"]
scenarios:
  - name: s
EOF
expect 3 "$HP" plan "$TMP/unknown.yaml" "${DEV[@]}" && {
  clean "$TMP/err" "diagnostic" && has "$TMP/err" 'no\x1b[2Jsuch\ncard' "diagnostic" && ok; }
# An infeasible scenario: its name and explanation on stderr.
sed 's/^  devices: \[evil-v\]$/  devices: [evil-v]\n  constraints: {caps: {evil-v: 8}}/' "$PLAN" > "$TMP/inf.yaml"
expect 4 "$HP" plan "$TMP/inf.yaml" "${DEV[@]}" && {
  clean "$TMP/err" "infeasible stderr" && clean "$TMP/out" "infeasible table" \
    && has "$TMP/err" "scenario '$SCEN_TXT' is infeasible" "infeasible stderr" && ok; }
# An output that cannot be written, named by its path.
ODIR=$'out\e[2J\ndir'
mkdir "$TMP/$ODIR"
expect 6 "$HP" plan "$PLAN" "${DEV[@]}" -o "$TMP/$ODIR" && {
  clean "$TMP/err" "-o stderr" && has "$TMP/err" 'out\x1b[2J\ndir' "-o stderr" && ok; }
# explain's own messages.
expect 2 "$HP" explain "$PLAN" "${DEV[@]}" --device evil-v --scenario $'no\e[2Jsuch' && {
  clean "$TMP/err" "explain stderr" && has "$TMP/err" "has no scenario 'no\\x1b[2Jsuch'" "explain stderr" && ok; }

finish escape.sh
