file(REMOVE_RECURSE
  "CMakeFiles/hetplan_core.dir/src/buf.c.o"
  "CMakeFiles/hetplan_core.dir/src/buf.c.o.d"
  "CMakeFiles/hetplan_core.dir/src/catalog.c.o"
  "CMakeFiles/hetplan_core.dir/src/catalog.c.o.d"
  "CMakeFiles/hetplan_core.dir/src/fileio.c.o"
  "CMakeFiles/hetplan_core.dir/src/fileio.c.o.d"
  "CMakeFiles/hetplan_core.dir/src/mem.c.o"
  "CMakeFiles/hetplan_core.dir/src/mem.c.o.d"
  "CMakeFiles/hetplan_core.dir/src/planner.c.o"
  "CMakeFiles/hetplan_core.dir/src/planner.c.o.d"
  "CMakeFiles/hetplan_core.dir/src/report.c.o"
  "CMakeFiles/hetplan_core.dir/src/report.c.o.d"
  "CMakeFiles/hetplan_core.dir/src/report_json.c.o"
  "CMakeFiles/hetplan_core.dir/src/report_json.c.o.d"
  "CMakeFiles/hetplan_core.dir/src/report_text.c.o"
  "CMakeFiles/hetplan_core.dir/src/report_text.c.o.d"
  "CMakeFiles/hetplan_core.dir/src/scenario.c.o"
  "CMakeFiles/hetplan_core.dir/src/scenario.c.o.d"
  "CMakeFiles/hetplan_core.dir/src/solver_glpk.c.o"
  "CMakeFiles/hetplan_core.dir/src/solver_glpk.c.o.d"
  "CMakeFiles/hetplan_core.dir/src/status.c.o"
  "CMakeFiles/hetplan_core.dir/src/status.c.o.d"
  "CMakeFiles/hetplan_core.dir/src/yamlx.c.o"
  "CMakeFiles/hetplan_core.dir/src/yamlx.c.o.d"
  "libhetplan_core.a"
  "libhetplan_core.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/hetplan_core.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
