#!/usr/bin/env bash
# Install test: `cmake --install` into a temporary prefix, then build
# programs outside the tree against it with pkg-config alone and run them
# on the installed data: consumer.c (checked against the installed CLI's
# JSON) and the example of docs/api.md (checked against the output quoted
# there). Also: the library exports exactly the HP_API functions of
# hetplan.h, and a thread that solves and exits leaks nothing (valgrind,
# when installed and no sanitizer is built in).
# usage: run.sh CMAKE BUILD_DIR SOURCE_DIR CC [SANITIZER_FLAGS...]
# (run by ctest after the build).
set -u
CMAKE=$1
BUILD=$2
SRC=$3
CC=$4
shift 4
SAN=("$@")
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
# stop MESSAGE: a failure the later checks cannot go on from.
stop() { echo "FAIL: $*"; echo "install: $pass passed, $((fail + 1)) failed"; exit 1; }

PREFIX="$TMP/prefix"
"$CMAKE" --install "$BUILD" --prefix "$PREFIX" > "$TMP/install.log" 2>&1 ||
  { cat "$TMP/install.log"; stop "cmake --install"; }

# pkg-config finds the installed hetplan.pc and nothing from the tree.
pc=$(find "$PREFIX" -path '*/pkgconfig/hetplan.pc' | head -1)
[ -n "$pc" ] || stop "no pkgconfig/hetplan.pc under the prefix"
export PKG_CONFIG_PATH="${pc%/hetplan.pc}"
pkg-config --exists --print-errors hetplan || stop "pkg-config hetplan"
LIBDIR=$(pkg-config --variable=libdir hetplan)
INCDIR=$(pkg-config --variable=includedir hetplan)
case "$LIBDIR:$INCDIR" in
"$PREFIX"/*:"$PREFIX"/*) ok ;;
*) bad "hetplan.pc points outside the prefix: libdir $LIBDIR, includedir $INCDIR" ;;
esac
DATA="$PREFIX/share/hetplan"
PLAN="$DATA/plans/doubao-minsheng-2024.yaml"
for f in "$INCDIR/hetplan.h" "$PREFIX/bin/hetplan" "$PLAN" "$DATA/devices/nvidia-h20.yaml"; do
  if [ -f "$f" ]; then ok; else bad "not installed: ${f#"$PREFIX"/}"; fi
done

# One version everywhere: hetplan.pc, HP_VERSION, the CLI, the SONAME.
ver=$(pkg-config --modversion hetplan)
hver=$(sed -n 's/^#define HP_VERSION "\(.*\)"$/\1/p' "$INCDIR/hetplan.h")
cver=$("$PREFIX/bin/hetplan" --version 2> /dev/null)
if [ "$hver" = "$ver" ] && [ "$cver" = "hetplan $ver" ]; then ok; else
  bad "versions differ: hetplan.pc '$ver', HP_VERSION '$hver', CLI '$cver'"; fi
LIB="$LIBDIR/libhetplan.so"
soname=$(objdump -p "$LIB" 2> /dev/null | awk '$1 == "SONAME" { print $2 }')
if [ "$soname" = "libhetplan.so.${ver%%.*}" ] && [ -e "$LIBDIR/$soname" ] &&
  [ "$(readlink -f "$LIB")" = "$(readlink -f "$LIBDIR/libhetplan.so.$ver")" ]; then ok; else
  bad "SONAME '$soname' or the links of $LIB -> libhetplan.so.$ver"; fi

# Exports: only hp_* symbols, and exactly the HP_API functions that
# hetplan.h declares (a declaration starts a line with HP_API and ends its
# name at the first '(').
# (_edata, _end and __bss_start are the linker's own marks, which GNU ld
# exports from a library linked against a DSO that exports them, as
# libxlsxwriter does: not hetplan's API.)
nm -D --defined-only "$LIB" |
  awk 'NF == 3 && $3 !~ /^(_edata|_end|__bss_start)$/ { print $3 }' | sort > "$TMP/exported"
awk '/^HP_API/ { decl = ""; on = 1 }
  on { decl = decl " " $0
       if (index($0, "(")) { sub(/\(.*/, "", decl); n = split(decl, w, /[ *]+/)
                             print w[n]; on = 0 } }' "$INCDIR/hetplan.h" | sort > "$TMP/declared"
if grep -qx hp_plan_solve "$TMP/declared" && [ "$(wc -l < "$TMP/declared")" -gt 20 ]; then ok; else
  bad "could not read the HP_API declarations of hetplan.h"; fi
if grep -E '^[a-z][a-z_ ]* \**hp_[a-z0-9_]+\(' "$INCDIR/hetplan.h" > "$TMP/unmarked"; then
  bad "functions declared in hetplan.h without HP_API:"; cat "$TMP/unmarked"; else ok; fi
if grep -v '^hp_' "$TMP/exported" > "$TMP/stray"; then
  bad "exported symbols without the hp_ prefix:"; head -20 "$TMP/stray"; else ok; fi
if diff "$TMP/declared" "$TMP/exported" > "$TMP/exports.diff"; then ok; else
  bad "HP_API functions (<) and exported symbols (>) differ:"; cat "$TMP/exports.diff"; fi

# build NAME SOURCE: an outside program, from the installed header and
# library only; the rpath makes it load the installed library. The flags
# of pkg-config are split into words on purpose.
# shellcheck disable=SC2046
build() {
  "$CC" -std=c11 -Wall -Wextra -Wpedantic -Werror -o "$TMP/$1" "$2" \
    $(pkg-config --cflags --libs hetplan) -pthread -Wl,-rpath,"$LIBDIR" \
    "${SAN[@]}" > "$TMP/$1.cc.log" 2>&1
}
build consumer "$SRC/tests/install/consumer.c" || { cat "$TMP/consumer.cc.log"; stop "compiling consumer.c"; }
loaded=$(ldd "$TMP/consumer" | awk '$1 ~ /^libhetplan/ { print $3 }')
if [ "$loaded" = "$LIBDIR/$soname" ]; then ok; else bad "consumer loads libhetplan from '$loaded'"; fi

# The consumer's scenarios against the CLI's JSON, same plan and catalog:
# name, status, cards, servers, capex_cny, compared as doubles (both print
# 17 significant digits).
(cd "$TMP" && ./consumer "$DATA/devices" "$PLAN") > "$TMP/lib.out" 2> "$TMP/lib.err"
rc=$?
[ $rc -eq 0 ] || { cat "$TMP/lib.err"; stop "consumer exited $rc"; }
if [ "$(tail -1 "$TMP/lib.out")" = ok ] && grep -qx "version $ver" "$TMP/lib.out"; then ok; else
  bad "consumer output:"; cat "$TMP/lib.out"; fi
"$PREFIX/bin/hetplan" plan "$PLAN" --catalog "$DATA/devices" --format json > "$TMP/cli.json"
rc=$?
[ $rc -eq 0 ] || stop "hetplan plan --format json exited $rc"
awk -F': ' 'function val(s) { gsub(/[",]/, "", s); return s }
  function flush() { if (name != "") print "scenario", name, st, cards, servers, capex }
  /^      "name": / { flush(); name = val($2) }
  /^      "status": / { st = val($2) }
  /^      "cards": / { cards = val($2) }
  /^      "servers": / { servers = val($2) }
  /^      "capex_cny": / { capex = val($2) }
  END { flush() }' "$TMP/cli.json" > "$TMP/cli.txt"
grep '^scenario ' "$TMP/lib.out" > "$TMP/lib.txt"
n_cli=$(wc -l < "$TMP/cli.txt")
if [ "$n_cli" -gt 1 ] && [ "$n_cli" -eq "$(wc -l < "$TMP/lib.txt")" ] &&
  paste -d ' ' "$TMP/cli.txt" "$TMP/lib.txt" |
  awk '$2 != $8 || $3 != $9 || $4 + 0 != $10 + 0 || $5 + 0 != $11 + 0 ||
       $6 + 0 != $12 + 0 { bad = 1 } END { exit bad }'; then ok; else
  bad "library and CLI differ (CLI, then library):"; cat "$TMP/cli.txt" "$TMP/lib.txt"; fi

# The bad plan string of consumer.c, as a file for the CLI: both name the
# same line, column and message. (Keep the text the same as consumer.c's.)
printf 'name: bad\nscenarios:\n  - name: s\n    granularity: bogus\n' > "$TMP/bad.yaml"
(cd "$TMP" && "$PREFIX/bin/hetplan" plan bad.yaml --catalog "$DATA/devices") > /dev/null 2> "$TMP/bad.err"
libdiag=$(sed -n 's/^diag HP_E[A-Z]* //p' "$TMP/lib.out")
if [ -n "$libdiag" ] && [ "$(cat "$TMP/bad.err")" = "hetplan: $libdiag" ]; then ok; else
  bad "bad plan: library '$libdiag', CLI '$(cat "$TMP/bad.err")'"; fi

# docs/api.md's example: compiles as it is quoted, and prints what is quoted.
awk '/<!-- example: program -->/ { on = 1; next } on && /^```c/ { in_c = 1; next }
  in_c && /^```/ { exit } in_c { print }' "$SRC/docs/api.md" > "$TMP/example.c"
awk '/<!-- example: output -->/ { on = 1; next } on && /^```/ { if (in_t) exit; in_t = 1; next }
  in_t { print }' "$SRC/docs/api.md" > "$TMP/example.want"
if [ -s "$TMP/example.c" ] && [ -s "$TMP/example.want" ] && build example "$TMP/example.c"; then
  (cd "$DATA" && "$TMP/example" devices plans/doubao-minsheng-2024.yaml) > "$TMP/example.out" 2>&1
  rc=$?
  if [ $rc -eq 0 ] && diff -u "$TMP/example.want" "$TMP/example.out"; then ok; else
    bad "docs/api.md's example (exit $rc) prints other than quoted"; fi
else
  bad "docs/api.md's example is missing or does not compile"; cat "$TMP/example.cc.log" 2> /dev/null
fi

# docs/api.md's table lists every status code of hetplan.h.
missing=""
codes=$(sed -n 's/^  XX(\([A-Z]*\), -\{0,1\}[0-9]*, ".*/HP_\1/p' "$INCDIR/hetplan.h")
[ -n "$codes" ] || missing=" (none read from hetplan.h)"
for code in $codes; do
  grep -q "^| \`$code\` |" "$SRC/docs/api.md" || missing="$missing $code"
done
if [ -z "$missing" ]; then ok; else bad "docs/api.md lacks the status codes$missing"; fi

# A thread that solved and exited leaves nothing behind, GLPK's per-thread
# environment included (the consumer solves on a thread of its own).
if [ ${#SAN[@]} -gt 0 ]; then
  echo "install: sanitizers built in, valgrind check skipped"
elif ! command -v valgrind > /dev/null; then
  echo "install: valgrind not installed, leak check skipped"
elif (cd "$TMP" && valgrind -q --leak-check=full --show-leak-kinds=definite,indirect \
  --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
  ./consumer "$DATA/devices" "$PLAN") > /dev/null 2> "$TMP/vg.err"; then ok; else
  bad "valgrind:"; head -40 "$TMP/vg.err"
fi

echo "install: $pass passed, $fail failed"
[ $fail -eq 0 ]
