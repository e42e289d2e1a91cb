
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/src/buf.c" "CMakeFiles/hetplan_core.dir/src/buf.c.o" "gcc" "CMakeFiles/hetplan_core.dir/src/buf.c.o.d"
  "/work/main/src/catalog.c" "CMakeFiles/hetplan_core.dir/src/catalog.c.o" "gcc" "CMakeFiles/hetplan_core.dir/src/catalog.c.o.d"
  "/work/main/src/fileio.c" "CMakeFiles/hetplan_core.dir/src/fileio.c.o" "gcc" "CMakeFiles/hetplan_core.dir/src/fileio.c.o.d"
  "/work/main/src/mem.c" "CMakeFiles/hetplan_core.dir/src/mem.c.o" "gcc" "CMakeFiles/hetplan_core.dir/src/mem.c.o.d"
  "/work/main/src/planner.c" "CMakeFiles/hetplan_core.dir/src/planner.c.o" "gcc" "CMakeFiles/hetplan_core.dir/src/planner.c.o.d"
  "/work/main/src/report.c" "CMakeFiles/hetplan_core.dir/src/report.c.o" "gcc" "CMakeFiles/hetplan_core.dir/src/report.c.o.d"
  "/work/main/src/report_json.c" "CMakeFiles/hetplan_core.dir/src/report_json.c.o" "gcc" "CMakeFiles/hetplan_core.dir/src/report_json.c.o.d"
  "/work/main/src/report_text.c" "CMakeFiles/hetplan_core.dir/src/report_text.c.o" "gcc" "CMakeFiles/hetplan_core.dir/src/report_text.c.o.d"
  "/work/main/src/scenario.c" "CMakeFiles/hetplan_core.dir/src/scenario.c.o" "gcc" "CMakeFiles/hetplan_core.dir/src/scenario.c.o.d"
  "/work/main/src/solver_glpk.c" "CMakeFiles/hetplan_core.dir/src/solver_glpk.c.o" "gcc" "CMakeFiles/hetplan_core.dir/src/solver_glpk.c.o.d"
  "/work/main/src/status.c" "CMakeFiles/hetplan_core.dir/src/status.c.o" "gcc" "CMakeFiles/hetplan_core.dir/src/status.c.o.d"
  "/work/main/src/yamlx.c" "CMakeFiles/hetplan_core.dir/src/yamlx.c.o" "gcc" "CMakeFiles/hetplan_core.dir/src/yamlx.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
