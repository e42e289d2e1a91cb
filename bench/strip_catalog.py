#!/usr/bin/env python3
"""strip_catalog.py SRC DST - a copy of a device catalog that an older
build of hetplan can read (issue 23's like-with-like comparisons).

Builds before the catalog keys of issues 20-22 (4c6385b, 52d039c) refuse a
device file with a key they do not know. This writes every SRC/*.yaml to
DST/ without those keys (price_as_of, market, fp4_tflops, network_gbps and
their `sources` entries); every other figure is copied unchanged, so both
builds plan over the same cards, prices and throughputs. Comments are not
kept. Needs python3-yaml.
"""
import glob
import os
import sys

import yaml

NEWER_KEYS = ("price_as_of", "market", "fp4_tflops", "network_gbps")


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: strip_catalog.py SRC DST")
    src, dst = sys.argv[1], sys.argv[2]
    os.makedirs(dst, exist_ok=True)
    files = sorted(glob.glob(os.path.join(src, "*.yaml")))
    if not files:
        sys.exit("strip_catalog.py: no *.yaml in %s" % src)
    for path in files:
        with open(path, encoding="utf-8") as f:
            dev = yaml.safe_load(f)
        for k in NEWER_KEYS:
            dev.pop(k, None)
        if isinstance(dev.get("sources"), dict):
            for k in NEWER_KEYS:
                dev["sources"].pop(k, None)
        with open(os.path.join(dst, os.path.basename(path)), "w",
                  encoding="utf-8") as f:
            yaml.safe_dump(dev, f, sort_keys=False, allow_unicode=True)
    print("strip_catalog.py: %d devices written to %s" % (len(files), dst))


if __name__ == "__main__":
    main()
