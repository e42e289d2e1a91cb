# Empty dependencies file for hetplan.
# This may be replaced when dependencies are built.
