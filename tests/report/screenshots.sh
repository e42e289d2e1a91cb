#!/usr/bin/env bash
# Redraws the report screenshots of docs/img/ (README, "Reports to hand
# on"): each HTML report kind (periods: a plan with periods) shot by
# headless Chromium, and the plan's workbook as LibreOffice Calc prints it (when soffice and pdftoppm are
# installed). usage: tests/report/screenshots.sh [build/hetplan]
set -eu
cd "$(dirname "$0")/../.."
HP=${1:-build/hetplan}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
CH="chromium --headless --disable-gpu --no-sandbox --hide-scrollbars --user-data-dir=$T/profile"
"$HP" plan plans/doubao-roofline.yaml --catalog devices -o "$T/plan.html" 2>/dev/null
"$HP" batch plans/*.yaml --catalog devices -o "$T/batch.html" 2>/dev/null || true
"$HP" sweep plans/doubao-mandate-sweep.yaml --catalog devices \
  --vary constraints.domestic_share.min=0:0.7:0.05 --scenario domestic-mfu-0.3 -o "$T/sweep.html" 2>/dev/null
"$HP" montecarlo plans/doubao-montecarlo.yaml --catalog devices --samples 400 -o "$T/montecarlo.html" 2>/dev/null
"$HP" plan plans/doubao-2025-26.yaml --catalog devices -o "$T/periods.html" 2>/dev/null
for k in plan batch sweep montecarlo periods; do
  $CH --screenshot="docs/img/report-$k.png" --window-size=1280,1400 "file://$T/$k.html" > /dev/null 2>&1
done
if command -v soffice > /dev/null && command -v pdftoppm > /dev/null; then
  "$HP" plan plans/doubao-roofline.yaml --catalog devices -o "$T/plan.xlsx" 2>/dev/null
  (cd "$T" && soffice --headless --convert-to pdf plan.xlsx > /dev/null 2>&1)
  pdftoppm -png -r 80 -f 2 -l 2 "$T/plan.pdf" "$T/wb" # the Vendors sheet
  cp "$T"/wb*.png docs/img/report-workbook.png
fi
ls -l docs/img/report-*.png
