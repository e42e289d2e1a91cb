#!/usr/bin/env bash
# CLI tests of the shipped models/*.yaml: each loads, gives a roofline plan
# on the shipped catalog, and the KV bytes per token (and the weights, where
# the header states them) that `hetplan explain` prints equal the hand
# arithmetic in the file's header comment ("= N bytes per token", "= X GB of
# weights"). A file whose header has no KV figure fails.
# usage: models.sh HETPLAN SOURCE_DIR   (run by ctest)
set -u
. "$(dirname "$0")/lib.sh" "$@"

# plan_for FILE: a small roofline plan over every shipped card for FILE.
plan_for() {
  cat > "$TMP/plan.yaml" <<PLAN
name: models
defaults:
  demand_model: roofline
  workload:
    model_file: $(realpath "$1")
    tokens_per_day: 1e9
    requests:
      - {name: chat, share: 1, input_tokens: 1000, output_tokens: 200, ttft_ms: 10000, tpot_ms: 200}
  devices: all
scenarios:
  - name: s
PLAN
}

# header_num FILE UNIT: the first number N (commas dropped) written as
# "= N UNIT" in FILE's leading comment block; empty when none.
header_num() {
  sed -n '/^#/!q; p' "$1" | tr '\n' ' ' | sed 's/ *# */ /g' |
    grep -o "= [0-9][0-9,.]* $2" | head -1 | sed 's/^= \([0-9,.]*\) .*/\1/' |
    tr -d ,
}

# check FILE: 0 when FILE loads, plans and explains to its header's figures;
# else prints why and returns 1.
check() {
  local f=$1 kv w got
  kv=$(header_num "$f" 'bytes per token')
  [ -n "$kv" ] || { echo "$f: no '= N bytes per token' in the header"; return 1; }
  w=$(header_num "$f" 'GB of weights')
  plan_for "$f"
  "$HP" plan "$TMP/plan.yaml" --catalog "$CAT" > "$TMP/out" 2> "$TMP/err" || {
    echo "$f: hetplan plan failed: $(head -3 "$TMP/err")"; return 1; }
  grep -q ': optimal' "$TMP/out" || { echo "$f: plan not optimal"; return 1; }
  "$HP" explain "$TMP/plan.yaml" --catalog "$CAT" --device nvidia-h20 \
    > "$TMP/out" 2> "$TMP/err" || {
    echo "$f: hetplan explain failed: $(head -3 "$TMP/err")"; return 1; }
  got=$(sed -n 's/.*KV cache.* = \([0-9][0-9,]*\) B\/token.*/\1/p' "$TMP/out" | head -1 | tr -d ,)
  [ "$got" = "$kv" ] || { echo "$f: explain gives $got B/token, header $kv"; return 1; }
  if [ -n "$w" ]; then
    got=$(sed -n 's/.*memory fit: weights .* = \([0-9][0-9.]*\) GB;.*/\1/p' "$TMP/out" | head -1)
    [ "$got" = "$w" ] || { echo "$f: explain gives $got GB of weights, header $w"; return 1; }
  fi
  return 0
}

n=0
for f in "$SRC"/models/*.yaml; do
  n=$((n + 1))
  if check "$f"; then ok; else bad "$(basename "$f")"; fi
done
[ $n -ge 16 ] && ok || bad "expected at least 16 shipped models, found $n"

# The check can fail: a header figure off by one, a missing one, and a
# model the loader rejects are each caught.
cp "$SRC/models/qwen3-32b.yaml" "$TMP/m1.yaml"
sed -i 's/= 262,144 bytes per/= 262,145 bytes per/' "$TMP/m1.yaml"
check "$TMP/m1.yaml" > /dev/null && bad "wrong KV figure passed" || ok
cp "$SRC/models/qwen3-32b.yaml" "$TMP/m2.yaml"
sed -i 's/= 65.6 GB of weights/= 65.7 GB of weights/' "$TMP/m2.yaml"
check "$TMP/m2.yaml" > /dev/null && bad "wrong weights figure passed" || ok
sed '/bytes per/d' "$SRC/models/qwen3-32b.yaml" > "$TMP/m3.yaml"
check "$TMP/m3.yaml" > /dev/null && bad "missing KV figure passed" || ok
sed '/^  layers:/d' "$SRC/models/qwen3-32b.yaml" > "$TMP/m4.yaml"
check "$TMP/m4.yaml" > /dev/null && bad "figure without a source passed" || ok

finish models
