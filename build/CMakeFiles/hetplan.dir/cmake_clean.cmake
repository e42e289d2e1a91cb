file(REMOVE_RECURSE
  "CMakeFiles/hetplan.dir/src/main.c.o"
  "CMakeFiles/hetplan.dir/src/main.c.o.d"
  "hetplan"
  "hetplan.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/hetplan.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
