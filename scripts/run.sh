#!/usr/bin/env bash
# One command from a fresh Debian machine to a plan: installs the missing
# packages, builds, and runs the shipped default plan.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
./build/hetplan plan plans/doubao-minsheng-2024.yaml "$@"
