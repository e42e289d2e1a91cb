#!/usr/bin/python3
"""melange_own.py - runs Melange's own solver on its own example.

  melange_own.py MELANGE_CHECKOUT [SLICE_FACTOR...]

MELANGE_CHECKOUT is a checkout of github.com/tyler-griggs/melange-release
(this project keeps none: fetch it; the figures in bench/README.md are from
commit d46ab43). The script imports the repository's melange.solver and
runs MelangeSolver on melange/config/example.json at each slice factor
(default: 1 and 8), and prints one JSON line per run: the GPU counts and
the hourly cost, as Melange's runner prints them.

Two shims, neither of which touches the program Melange builds:
- Debian's python3-pulp ships no bundled CBC, so PULP_CBC_CMD (which the
  solver calls) is pointed at /usr/bin/cbc through COIN_CMD, the same
  driver (bench/pulp_reference.py does the same);
- melange/lib/util.py imports pandas but never uses it; an empty module
  stands in when pandas is not installed.
"""
import copy
import json
import os
import sys
import types

import pulp

CBC = os.environ.get("HETPLAN_CBC", "/usr/bin/cbc")


def main(argv):
    if len(argv) < 2:
        sys.stderr.write(__doc__)
        return 2
    root = argv[1]
    factors = [int(a) for a in argv[2:]] or [1, 8]
    try:
        import pandas  # noqa: F401
    except ImportError:
        sys.modules["pandas"] = types.ModuleType("pandas")
    pulp.PULP_CBC_CMD = lambda msg=0, **kw: pulp.COIN_CMD(path=CBC, msg=msg)
    sys.path.insert(0, root)
    from melange.solver import MelangeSolver

    with open(os.path.join(root, "melange", "config", "example.json")) as f:
        cfg = json.load(f)
    for sf in factors:
        solver = MelangeSolver(
            workload_distribution=cfg["workload_distribution"],
            total_request_rate=cfg["total_request_rate"],
            gpu_info=copy.deepcopy(cfg["gpu_info"]),
            slice_factor=sf)
        res = solver.run()
        if res is None:
            print(json.dumps({"slice_factor": sf, "status": "not optimal"}))
            continue
        res["cost"] = round(res["cost"], 6)
        print(json.dumps({"slice_factor": sf, "result": res}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
