#!/usr/bin/env bash
# CLI tests of where output goes: -o into a FIFO, a device, a symbolic link
# or over a file with its own mode; a directory, a dangling link or an
# empty name as -o; a write that fails half way; -o and --chart as a pair
# (one file named twice, one of them unwritable); -o /dev/stdout; and
# options given last without their value. Checks that cannot run here (as
# root, or without mknod) print a SKIP line.
# usage: output.sh HETPLAN SOURCE_DIR   (run by ctest)
set -euo pipefail
. "$(dirname "$0")/lib.sh" "$@"
# The exit code `hetplan --help` documents for "output error".
"$HP" --help > "$TMP/help"
IO=$(sed -n 's/.* \([0-9]\) output error.*/\1/p' "$TMP/help")
[ -n "$IO" ] || { echo "FAIL: no output error code in hetplan --help"; exit 1; }

cat > "$TMP/one.yaml" <<'PLAN'
name: one
defaults:
  workload: {model: {params: 5e11}, tokens_per_day: 8.64e7}
  mfu: 0.5
  devices: [alpha-a, beta-b]
scenarios:
  - name: s
uncertain:
  workload.tokens_per_day: {dist: uniform, min: 8.64e7, max: 1.728e8}
PLAN
PLAN=("$HP" plan "$TMP/one.yaml" --catalog "$FIX")
SWEEP=("$HP" sweep "$TMP/one.yaml" --catalog "$FIX" --vary constraints.domestic_share.min=0:1:0.5)
"${PLAN[@]}" > "$TMP/want.txt"
[ -s "$TMP/want.txt" ] || { echo "FAIL: plan prints nothing"; exit 1; }

# --- -o into what is already there -----------------------------------------
# A FIFO is written through (a reader gets the report) and stays a FIFO.
mkfifo "$TMP/fifo"
timeout 30 cat "$TMP/fifo" > "$TMP/fifo.got" &
reader=$!
expect 0 "${PLAN[@]}" -o "$TMP/fifo" && ok
wait "$reader" || true
[ -p "$TMP/fifo" ] && cmp -s "$TMP/fifo.got" "$TMP/want.txt" && ok || bad "FIFO replaced or not written through"
# A character device likewise (a private node: never a real /dev one).
# mknod needs root and a container that allows it; else these are skipped.
if mknod "$TMP/null" c 1 3 2> /dev/null; then
  expect 0 "${PLAN[@]}" -o "$TMP/null" && { [ -c "$TMP/null" ] && ok || bad "device node replaced"; }
else
  echo "SKIP: -o into a character device: mknod not permitted (uid $(id -u))"
fi
if mknod "$TMP/full" c 1 7 2> /dev/null; then
  expect "$IO" "${PLAN[@]}" -o "$TMP/full" && {
    [ -c "$TMP/full" ] && grep -q "full: write failed: No space left on device" "$TMP/err" \
      && ok || bad "write error on a device"; }
else
  echo "SKIP: -o into a full device: mknod not permitted (uid $(id -u))"
fi
# A symbolic link survives; the file it points to (in another directory)
# gets the report and keeps its mode.
mkdir "$TMP/sub"
echo old > "$TMP/sub/target.txt"
chmod 600 "$TMP/sub/target.txt"
ln -s sub/target.txt "$TMP/link.txt"
expect 0 "${PLAN[@]}" -o "$TMP/link.txt" && {
  [ -L "$TMP/link.txt" ] && [ "$(readlink "$TMP/link.txt")" = sub/target.txt ] \
    && cmp -s "$TMP/sub/target.txt" "$TMP/want.txt" && [ "$(stat -c %a "$TMP/sub/target.txt")" = 600 ] \
    && ok || bad "symlink replaced or its target not updated"; }
# An existing file keeps its permission bits; a new one gets 0666 & ~umask.
echo old > "$TMP/private.txt"
chmod 600 "$TMP/private.txt"
expect 0 "${PLAN[@]}" -o "$TMP/private.txt" && {
  [ "$(stat -c %a "$TMP/private.txt")" = 600 ] && cmp -s "$TMP/private.txt" "$TMP/want.txt" \
    && ok || bad "0600 file mode not kept"; }
chmod 640 "$TMP/private.txt"
expect 0 "${PLAN[@]}" -o "$TMP/private.txt" --format json && {
  [ "$(stat -c %a "$TMP/private.txt")" = 640 ] && grep -q '"scenarios"\|"name"' "$TMP/private.txt" \
    && ok || bad "0640 file mode not kept"; }
(umask 027 && "${PLAN[@]}" -o "$TMP/new.txt") && [ "$(stat -c %a "$TMP/new.txt")" = 640 ] \
  && ok || bad "new file mode is not 0666 & ~umask"
# A directory: an output error naming it, the directory untouched.
mkdir "$TMP/dir.txt"
expect "$IO" "${PLAN[@]}" -o "$TMP/dir.txt" && {
  [ -d "$TMP/dir.txt" ] && grep -q "dir.txt: is a directory" "$TMP/err" && [ ! -s "$TMP/out" ] \
    && ok || bad "directory as -o"; }
# A dangling symbolic link: an output error naming the link and its target.
ln -s nowhere.txt "$TMP/dangling.txt"
expect "$IO" "${PLAN[@]}" -o "$TMP/dangling.txt" && {
  [ -L "$TMP/dangling.txt" ] && [ ! -e "$TMP/nowhere.txt" ] \
    && grep -q "dangling.txt: is a symbolic link to 'nowhere.txt', which does not exist" "$TMP/err" \
    && ok || bad "dangling symlink"; }
# An empty name is a usage error naming the option, in every command.
expect 2 "${PLAN[@]}" -o "" && { grep -q -- "-o: expected a FILE name" "$TMP/err" && ok || bad "plan -o ''"; }
expect 2 "${SWEEP[@]}" -o "" && { grep -q -- "-o: expected a FILE name" "$TMP/err" && ok || bad "sweep -o ''"; }
expect 2 "$HP" explain "$TMP/one.yaml" --catalog "$FIX" --device alpha-a -o "" && {
  grep -q -- "-o: expected a FILE name" "$TMP/err" && ok || bad "explain -o ''"; }
expect 2 "$HP" probe --backend fake -o "" && { grep -q -- "-o: expected a FILE name" "$TMP/err" && ok || bad "probe -o ''"; }

# --- -o and --chart as a pair ------------------------------------------------
# One file named twice, however spelt: a usage error before any work
# (--format csv, since -o FILE.png alone is an unknown report extension).
expect 2 "${SWEEP[@]}" -o "$TMP/same.png" --chart "$TMP/same.png" && {
  grep -q "unknown extension '.png'" "$TMP/err" && [ ! -e "$TMP/same.png" ] && ok || bad "-o FILE.png: $(cat "$TMP/err")"; }
expect 2 "${SWEEP[@]}" --format csv -o "$TMP/same.png" --chart "$TMP/same.png" && {
  grep -q "name the same file" "$TMP/err" && [ ! -e "$TMP/same.png" ] && ok || bad "same -o and --chart"; }
expect 2 "${SWEEP[@]}" --format csv -o "$TMP/same.png" --chart "$TMP/sub/../same.png" && {
  grep -q "sweep: -o and --chart name the same file" "$TMP/err" && [ ! -e "$TMP/same.png" ] \
    && ok || bad "same -o and --chart via ..: $(cat "$TMP/err")"; }
expect 2 "$HP" batch "$TMP/one.yaml" --catalog "$FIX" --format csv -o "$TMP/same.svg" --chart "$TMP/./same.svg" && {
  grep -q "batch: -o and --chart name the same file" "$TMP/err" && [ ! -e "$TMP/same.svg" ] \
    && ok || bad "batch: same -o and --chart via ./: $(cat "$TMP/err")"; }
echo old > "$TMP/kept.png"
ln -s kept.png "$TMP/kept-link.png"
expect 2 "${SWEEP[@]}" --format csv -o "$TMP/kept.png" --chart "$TMP/kept-link.png" && {
  grep -q "name the same file" "$TMP/err" && [ "$(cat "$TMP/kept.png")" = old ] \
    && ok || bad "same file through a link: $(cat "$TMP/err")"; }
# The chart cannot be written: no report file, nothing on stdout, an old
# report untouched.
expect "$IO" "${SWEEP[@]}" -o "$TMP/rep.txt" --chart "$TMP/missing/c.png" && {
  [ ! -e "$TMP/rep.txt" ] && [ ! -s "$TMP/out" ] && grep -q "missing/c.png" "$TMP/err" \
    && ok || bad "chart failure left a report"; }
expect "$IO" "${SWEEP[@]}" --chart "$TMP/missing/c.png" && {
  [ ! -s "$TMP/out" ] && ok || bad "chart failure printed the report"; }
echo old > "$TMP/old-rep.txt"
expect "$IO" "${SWEEP[@]}" -o "$TMP/old-rep.txt" --chart "$TMP/missing/c.svg" && {
  [ "$(cat "$TMP/old-rep.txt")" = old ] && ok || bad "chart failure changed the report"; }
# A write that fails half way (past a 1 KiB file size limit, SIGXFSZ
# ignored so that write(2) returns EFBIG): an output error naming the file
# and the reason, and neither the file nor a temporary file left behind.
mkdir "$TMP/fsz"
expect "$IO" bash -c 'ulimit -f 1 && trap "" XFSZ && exec "$@"' _ "$HP" sweep "$TMP/one.yaml" \
  --catalog "$FIX" --vary workload.tokens_per_day=8.64e7:8.64e8:8.64e7 --format csv -o "$TMP/fsz/s.csv" && {
  grep -q "fsz/s.csv: write failed: File too large" "$TMP/err" && [ -z "$(ls -A "$TMP/fsz")" ] \
    && ok || bad "write past the file size limit: $(cat "$TMP/err"); left: $(ls -A "$TMP/fsz")"; }
# The report cannot be written: no chart file either.
expect "$IO" "${SWEEP[@]}" -o "$TMP/missing/rep.txt" --chart "$TMP/c.png" && {
  [ ! -e "$TMP/c.png" ] && grep -q "missing/rep.txt" "$TMP/err" && ok || bad "report failure left a chart"; }
expect "$IO" "${SWEEP[@]}" -o "$TMP/dir.txt" --chart "$TMP/c.png" && {
  [ ! -e "$TMP/c.png" ] && ok || bad "directory as -o left a chart"; }
expect "$IO" "$HP" batch "$TMP/one.yaml" --catalog "$FIX" -o "$TMP/dangling.txt" --chart "$TMP/c.svg" && {
  [ ! -e "$TMP/c.svg" ] && ok || bad "batch: dangling -o left a chart"; }
# A read-only directory (root may write anywhere: only checked as a user).
if [ "$(id -u)" != 0 ]; then
  mkdir "$TMP/ro" && chmod 555 "$TMP/ro"
  expect "$IO" "${SWEEP[@]}" -o "$TMP/ro/rep.txt" --chart "$TMP/c.png" && {
    [ ! -e "$TMP/c.png" ] && grep -q "Permission denied" "$TMP/err" && ok || bad "read-only -o dir left a chart"; }
  expect "$IO" "${SWEEP[@]}" -o "$TMP/rep.txt" --chart "$TMP/ro/c.png" && {
    [ ! -e "$TMP/rep.txt" ] && ok || bad "read-only --chart dir left a report"; }
else
  echo "SKIP: -o and --chart into a read-only directory: root writes there anyway"
fi
# Both fine: both written.
expect 0 "${SWEEP[@]}" -o "$TMP/rep.txt" --chart "$TMP/c.png" && {
  [ -s "$TMP/rep.txt" ] && [ -s "$TMP/c.png" ] && [ ! -s "$TMP/out" ] && ok || bad "report and chart"; }

# --- options given last without their value -------------------------------
expect 2 "${PLAN[@]}" --format && {
  grep -q "option '--format' needs a value (table, json, csv, md, xlsx or html)" "$TMP/err" && ok || bad "plan --format"; }
expect 2 "$HP" sweep "$TMP/one.yaml" --catalog "$FIX" --vary && {
  grep -q "option '--vary' needs a value (KEY=START:STOP:STEP)" "$TMP/err" && ok || bad "sweep --vary"; }
expect 2 "$HP" montecarlo "$TMP/one.yaml" --catalog "$FIX" --samples && {
  grep -q "option '--samples' needs a value" "$TMP/err" && ok || bad "montecarlo --samples"; }
expect 2 "$HP" batch "$TMP/one.yaml" --catalog "$FIX" --chart && {
  grep -q "option '--chart' needs a value" "$TMP/err" && ok || bad "batch --chart"; }
expect 2 "$HP" devices --catalog && {
  grep -q "option '--catalog' needs a value" "$TMP/err" && ok || bad "devices --catalog"; }
expect 2 "$HP" explain "$TMP/one.yaml" --catalog "$FIX" --device && {
  grep -q "option '--device' needs a value" "$TMP/err" && ok || bad "explain --device"; }
expect 2 "$HP" probe --format && {
  grep -q "option '--format' needs a value" "$TMP/err" && ok || bad "probe --format"; }
expect 2 "${PLAN[@]}" -o && { grep -q "option '-o' needs a value" "$TMP/err" && ok || bad "plan -o"; }
# A truly unknown option is still called unknown.
expect 2 "${PLAN[@]}" --nope && { grep -q "unknown option '--nope'" "$TMP/err" && ok || bad "unknown option"; }

# --- -o /dev/stdout ------------------------------------------------------------
# The descriptor itself: into a pipe (nothing to resolve), and after a `>>`
# redirection it appends (reopening the path would start at offset 0).
"${PLAN[@]}" -o /dev/stdout | cat > "$TMP/piped.txt"
cmp -s "$TMP/piped.txt" "$TMP/want.txt" && ok || bad "-o /dev/stdout into a pipe"
echo precious > "$TMP/log.txt"
"${PLAN[@]}" -o /dev/stdout >> "$TMP/log.txt"
{ echo precious; cat "$TMP/want.txt"; } | cmp -s - "$TMP/log.txt" && ok || bad "-o /dev/stdout after >> did not append"
# With stdout closed it is an output error about the descriptor: the path
# is not opened (it would resolve to /proc/self/fd/1, which is not there).
expect "$IO" sh -c 'exec "$@" >&-' _ "${PLAN[@]}" -o /dev/stdout && {
  grep -q "/dev/stdout: cannot write: descriptor 1 is not open" "$TMP/err" \
    && ok || bad "-o /dev/stdout with stdout closed: $(cat "$TMP/err")"; }

# --- help texts --------------------------------------------------------------
for cmd in sweep montecarlo; do
  expect 0 "$HP" $cmd --help && { grep -q -- "--quiet" "$TMP/out" && ok || bad "$cmd --help lacks --quiet"; }
done
# explain has no --format: it says so, rather than "unknown option".
expect 2 "$HP" explain "$TMP/one.yaml" --catalog "$FIX" --device alpha-a --format json && {
  grep -q "text only" "$TMP/err" && ok || bad "explain --format message"; }
# explain --phase (issue 21): prefill or decode only, else a usage error.
expect 2 "$HP" explain "$TMP/one.yaml" --catalog "$FIX" --device alpha-a --phase both && {
  grep -q "expected prefill or decode, got 'both'" "$TMP/err" && ok || bad "explain --phase message"; }
expect 0 "$HP" explain "$SRC/plans/doubao-roofline.yaml" --catalog "$CAT" --scenario mix-2024 \
  --device nvidia-h20 --phase decode && {
  grep -q "phase decode: the server decodes only" "$TMP/out" &&
    grep -q "entering the server, .*% of its network (3,200 Gbit/s" "$TMP/out" && ok || bad "explain --phase decode"; }
# A services plan: each service's model and classes.
expect 0 "$HP" explain "$SRC/plans/doubao-disaggregated.yaml" --catalog "$CAT" \
  --scenario mix-2024-disaggregated --device huawei-ascend-910c --phase prefill && {
  grep -q "^service 'doubao' (disaggregated)" "$TMP/out" &&
    grep -q "= 8.81 requests/s per server = 10,576 input tokens/s per server" "$TMP/out" &&
    ok || bad "explain --phase on a services plan"; }
# A services plan as CSV: a row per pool and per load split, agreeing with
# the JSON report and with the SKU lines (pools of a SKU add up to its line).
if command -v python3 > /dev/null; then
  "$HP" plan "$SRC/plans/fleet-2025-services.yaml" --catalog "$CAT" --format csv > "$TMP/svc.csv" 2>/dev/null &&
  "$HP" plan "$SRC/plans/fleet-2025-services.yaml" --catalog "$CAT" --format json > "$TMP/svc.json" 2>/dev/null &&
  python3 - "$TMP/svc.csv" "$TMP/svc.json" <<'PY' && ok || bad "services CSV rows"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1])))
js = {s["name"]: s for s in json.load(open(sys.argv[2]))["scenarios"]}
assert rows and all(len(r) == len(rows[0]) for r in rows)
for name, s in js.items():
    pools = [r for r in rows if r["scenario"] == name and r["level"] == "pool"]
    splits = [r for r in rows if r["scenario"] == name and r["level"] == "split"]
    jp, jsp = s["services"]["pools"], s["services"]["splits"]
    assert len(pools) == len(jp) and len(splits) == len(jsp), name
    for r, p in zip(pools, jp):
        assert r["device"] == p["device"] and r["pool"] == p["role"], name
        assert abs(float(r["servers"]) - p["servers"]) < 1e-9 * max(1, p["servers"])
    for r, p in zip(splits, jsp):
        assert r["service"] == p["service"] and r["request_class"] == p["request_class"]
        assert abs(float(r["load_share"]) - p["fraction"]) < 1e-12
    for d in {r["device"] for r in pools}:
        line = [r for r in rows if r["scenario"] == name and r["level"] == "device" and r["device"] == d][0]
        tot = sum(float(r["servers"]) for r in pools if r["device"] == d)
        assert abs(tot - float(line["servers"])) < 1e-6, (name, d, tot, line["servers"])
    # every (service, class, phase) load is placed whole
    cells = {}
    for r in splits:
        k = (r["service"], r["request_class"], r["phase"])
        cells[k] = cells.get(k, 0) + float(r["load_share"])
    assert cells and all(abs(v - 1) < 1e-6 for v in cells.values()), cells
PY
fi
# network_gbps (issue 21): listed with its unit and source by devices ID.
expect 0 "$HP" devices nvidia-h20 --catalog "$CAT" && {
  grep -q "^network_gbps  *3,200  Gbit/s  E  .*8 x 400 = 3,200 Gbit/s" "$TMP/out" && ok || bad "devices ID: network_gbps"; }

# No temporary file is left anywhere.
if compgen -G "$TMP/.hp*" > /dev/null || compgen -G "$TMP/*/.hp*" > /dev/null || compgen -G "$TMP/*.tmp.*" > /dev/null; then
  bad "stray temporary files"
fi

finish "output cli"
