#!/usr/bin/env bash
# prefixes.sh [--map MAP] SRC_DIR BUILD_DIR - a function's prefix tells its
# file (docs/api.md, "Names"). Lists every external function and variable
# defined in SRC_DIR/src/*.c, read with `nm -g --defined-only` from the
# objects CMake built for them under BUILD_DIR, and checks each name:
#
#   A name hp_W1_W2_..._Wn points to the file whose prefix is the longest
#   head W1_..._Wk that is a file stem in src/ or one of the aliases below
#   ("hp_report_xlsx" -> report_xlsx.c, "hp_report_render" -> report.c,
#   "hp_roof_eval" -> roofline.c). It must point to the file defining it.
#
# Exceptions: main; names the compiler makes (__*, such as ASan's
# __odr_asan.X); the names in ALLOW (the public API of hetplan.h kept
# stable, and mem.c's mirrors of the C allocator); and a stand-in in main.c
# for a cli_*.c file this build leaves out.
#
# With --map MAP (scripts/rename-map.txt: "old new" a line) each name is
# first renamed as the map says, so the check tells whether applying the
# map makes every name pass; it also refuses a map whose new name is
# defined already, and notes the old names no file defines (a stale line,
# or the map applied).
#
# nm, not a C parser: it lists exactly what the linker sees, macro-made
# definitions included and the branches of #if that are not compiled left
# out (ctags took main.c's #ifndef stand-ins and anonymous-struct tables
# for externals). The price: the optional files (solver_cbc.c, ...) are
# checked in the builds that compile them.
set -u
map=
if [ "${1:-}" = --map ]; then
  map=${2:?usage: prefixes.sh [--map MAP] SRC_DIR BUILD_DIR}
  shift 2
fi
root=${1:?usage: prefixes.sh [--map MAP] SRC_DIR BUILD_DIR}
build=${2:?usage: prefixes.sh [--map MAP] SRC_DIR BUILD_DIR}
src=$root/src

# Aliases: "stem alias" - a module's short name in prose, answered by its
# file as well as by the stem.
ALIASES='status diag
scenario planfile
planner plan
roofline roof
roofline_phase roof_phase
whatif wi
yamlx yaml
numfmt fmt
cli_common cli'

# Allowed names: "name file". The public API (HP_API in hetplan.h, the
# exported ABI of libhetplan.so.0) whose names do not follow the rule,
# kept as they are; and mem.c's hp_* mirrors of malloc, calloc, realloc,
# free, strdup, strndup.
ALLOW='hp_strerror status
hp_set_allocator mem
hp_free mem
hp_malloc mem
hp_calloc mem
hp_realloc mem
hp_strdup mem
hp_strndup mem
hp_market_name catalog
hp_figure_key catalog
hp_figure_unit catalog
hp_figure_find catalog
hp_result_status_name planner
hp_result_status_word planner
hp_result_proven planner
hp_result_sustained_tokens_per_day planner
hp_planfile_write_lp planner
hp_set_progress solver
hp_format_parse report
hp_catalog_render report
hp_catalog_render_device report
hp_output_fd fileio
hp_write_file_atomic fileio'

command -v nm > /dev/null || { echo "prefixes: nm not found"; exit 1; }
[ -d "$src" ] || { echo "prefixes: no $src"; exit 1; }

# Every stem of src/*.c; the objects CMake built from them (test targets
# left out); "name stem" for each symbol they define.
stems=$(cd "$src" && ls *.c | sed 's/\.c$//')
objs=$(find "$build" -path '*/CMakeFiles/*' -path '*/src/*' -name '*.c.o' \
  | grep -v '/CMakeFiles/[^/]*test' | sort)
[ -n "$objs" ] || { echo "prefixes: no objects under $build (build first)"; exit 1; }

defs=$(nm -A -g --defined-only $objs | awk '
  $(NF - 1) ~ /^[TDBRV]$/ && $NF !~ /^__/ {
    s = $1; sub(/\.c\.o:.*$/, "", s); sub(/.*\//, "", s); print $NF, s }' \
  | sort -u)
[ -n "$defs" ] || { echo "prefixes: nm listed no symbol"; exit 1; }

printf '%s\n' "$defs" | awk -v stems="$stems" -v aliases="$ALIASES" \
  -v allow="$ALLOW" -v mapfile="$map" '
BEGIN {
  n = split(stems, s, /[ \n]+/)
  for (i = 1; i <= n; i++) if (s[i] != "") { pre[s[i]] = s[i]; built[s[i]] = 0 }
  n = split(aliases, a, /\n/)
  for (i = 1; i <= n; i++) {
    split(a[i], f, " ")
    if (!(f[1] in pre)) { print "prefixes: alias of a file that is not there: " a[i]; bad = 1 }
    pre[f[2]] = f[1]; al[f[1]] = f[2]
  }
  n = split(allow, a, /\n/)
  for (i = 1; i <= n; i++) { split(a[i], f, " "); ok[f[1]] = f[2] }
  if (mapfile != "") {
    while ((getline line < mapfile) > 0) {
      if (line ~ /^[ \t]*(#|$)/) continue
      split(line, f, /[ \t]+/)
      ren[f[1]] = f[2]; mapline[f[1]] = line
    }
  }
}
{ name[NR] = $1; file[NR] = $2; built[$2] = 1; defined[$1] = 1 }
function target(nm,   w, k, head, best, i) {
  if (nm !~ /^hp_/) return ""
  k = split(substr(nm, 4), w, "_")
  best = ""; head = ""
  for (i = 1; i <= k; i++) {
    head = (i == 1) ? w[1] : head "_" w[i]
    if (head in pre) best = pre[head]
  }
  return best
}
END {
  for (o in ren) { nren++; if (!(o in defined)) stale[o] = 1; nstale += !(o in defined) }
  if (nren && nstale == nren) print "prefixes: note: no old name of the map is defined (applied?)"
  for (o in ren) {
    if (nstale < nren && (o in stale)) print "prefixes: note: the map renames " o ", which no file defines (a stale line)"
    if ((o in defined) && (ren[o] in defined)) { print "prefixes: map renames " o " to " ren[o] ", which is taken"; bad = 1 }
  }
  for (i = 1; i <= NR; i++) {
    nm = name[i]; df = file[i]
    if (nm in ren) nm = ren[nm]
    if (nm == "main" && df == "main") continue
    if ((nm in ok) && ok[nm] == df) continue
    t = target(nm)
    if (t == df) continue
    if (df == "main" && t ~ /^cli_/ && !built[t]) continue
    shown = (nm == name[i]) ? nm : name[i] " -> " nm
    if (t == "")
      printf "src/%s.c: %s: the name points to no file (expected hp_%s_*%s)\n", df, shown, df, (df in al) ? " or hp_" al[df] "_*" : ""
    else
      printf "src/%s.c: %s: the name points to %s.c (expected hp_%s_*%s)\n", df, shown, t, df, (df in al) ? " or hp_" al[df] "_*" : ""
    fails++
  }
  if (fails) printf "prefixes: %d of %d names do not tell their file\n", fails, NR
  else printf "prefixes: all %d names tell their file\n", NR
  exit (bad || fails) ? 1 : 0
}'
