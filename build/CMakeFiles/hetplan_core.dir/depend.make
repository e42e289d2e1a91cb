# Empty dependencies file for hetplan_core.
# This may be replaced when dependencies are built.
