#!/usr/bin/env bash
# layers.sh SRCDIR - the arrows docs/architecture.md says must not exist.
# Each check greps src/ and names the file and line that breaks it.
set -u
src=${1:?usage: layers.sh SRCDIR}/src
fail=0
bad() { echo "layers: $1"; shift; printf '  %s\n' "$@"; fail=1; }

# GLPK is one file.
hits=$(grep -ln '#include <glpk.h>' "$src"/*.c "$src"/*.h | grep -v '/solver_glpk\.c$')
[ -z "$hits" ] || bad "only solver_glpk.c may include glpk.h:" $hits

# No engine file writes text or JSON: the loaders, model, demand, solver
# seam and plan layers include neither report.h nor jansson.h
# (model_hf.c reads config.json with jansson, which is loading).
engines="yamlx catalog scenario profile model roofline ip ip_presolve
  solver_glpk planner whatif numfmt"
for e in $engines; do
  for f in "$src/$e.c" "$src/$e.h"; do
    [ -f "$f" ] || continue
    hits=$(grep -n '#include "report.h"\|#include <jansson.h>' "$f")
    [ -z "$hits" ] || bad "${f##*/} is an engine file and must not render:" "$hits"
  done
done

# The planner and the roofline read the model, not the plan loader.
for h in planner.h roofline.h; do
  hits=$(grep -n '#include "scenario.h"\|#include "yamlx.h"' "$src/$h")
  [ -z "$hits" ] || bad "$h must include model.h, not a loader:" "$hits"
done

# Renderers never solve.
for f in "$src"/report*.c "$src"/chart.c; do
  hits=$(grep -n '#include "solver.h"\|hp_solver_glpk_solve(\|hp_plan_solve\|hp_planner_solve(' "$f")
  [ -z "$hits" ] || bad "${f##*/} is a renderer and must not solve:" "$hits"
done

# The library never prints or exits: only main.c and cli_*.c do.
for f in "$src"/*.c; do
  case ${f##*/} in main.c | cli_*.c) continue ;; esac
  hits=$(grep -nE '(^|[^_a-z])(printf|fprintf|puts|fputs|putchar|exit|abort)\(' "$f")
  [ -z "$hits" ] || bad "${f##*/} is library code and must not print or exit:" "$hits"
done

[ $fail -eq 0 ] && echo "layers: ok"
exit $fail
