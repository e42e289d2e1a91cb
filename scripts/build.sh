#!/usr/bin/env bash
# Configures and builds hetplan into build/ (or $HETPLAN_BUILD_DIR).
# Extra arguments go to cmake's configure step.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${HETPLAN_BUILD_DIR:-build}
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" > "$BUILD.configure.log" 2>&1 \
  || { cat "$BUILD.configure.log"; exit 1; }
cmake --build "$BUILD" -j"$(nproc)" 2>&1 | grep -E 'error|warning|Error' || true
test "${PIPESTATUS[0]}" -eq 0
