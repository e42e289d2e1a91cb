/* ocl_common.h - helpers shared by the OpenCL tests: open the opencl
 * backend with a fault seam and run one figure on one device. */
#ifndef HP_TEST_OCL_COMMON_H
#define HP_TEST_OCL_COMMON_H

#include <string.h>

#include "backend.h"

static hp_bench_result run_one(const char *fault, hp_devclass want,
                               hp_bench_kind kind, double budget_ms,
                               int *found) {
  const hp_backend *b = hp_backend_find("opencl");
  hp_backend_config cfg;
  hp_bench_result r;
  hp_diag d;
  void *st = NULL;
  hp_device_info *devs = NULL;
  size_t n = 0;
  memset(&cfg, 0, sizeof cfg);
  memset(&r, 0, sizeof r);
  cfg.fault = fault;
  cfg.quick = 1;
  *found = 0;
  if (!b || b->open(&cfg, &st, &d) != HP_OK)
    return r;
  if (b->probe(st, &devs, &n, &d) == HP_OK) {
    for (size_t i = 0; i < n; i++) {
      if (devs[i].devclass != want)
        continue;
      hp_bench_spec spec = {kind, "x", "x", budget_ms, 3};
      if (b->bench(st, &devs[i], &spec, &r, &d) == HP_OK)
        *found = 1;
      break;
    }
  }
  hp_device_info_free(devs, n);
  b->close(st);
  return r;
}

#endif
