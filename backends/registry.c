/* registry.c - the compiled-in backends (a static table filled by CMake
 * options, Redis connTypes[] style) and the small helpers of backend.h
 * that every backend shares. */
#include <string.h>

#include "backend.h"
#include "mem.h"

extern const hp_backend hp_fake_backend; /* backends/fake/fake_backend.c */
#ifdef HETPLAN_HAVE_OPENCL
extern const hp_backend hp_ocl_backend; /* backends/opencl/ocl_backend.c */
#endif

static const hp_backend *const backends[] = {
#ifdef HETPLAN_HAVE_OPENCL
    &hp_ocl_backend,
#endif
    &hp_fake_backend,
    NULL,
};

const hp_backend *hp_backend_find(const char *name) {
  if (!name)
    return NULL;
  for (size_t i = 0; backends[i]; i++)
    if (strcmp(backends[i]->name, name) == 0)
      return backends[i];
  return NULL;
}

const hp_backend *const *hp_backend_list(void) { return backends; }

const char *hp_devclass_name(hp_devclass c) {
  switch (c) {
  case HP_DEVCLASS_CPU:
    return "cpu";
  case HP_DEVCLASS_GPU:
    return "gpu";
  case HP_DEVCLASS_ACCELERATOR:
    return "accelerator";
  case HP_DEVCLASS_CUSTOM:
    return "custom";
  case HP_DEVCLASS_OTHER:
    break;
  }
  return "other";
}

const char *hp_bench_status_name(hp_bench_status s) {
  switch (s) {
  case HP_BENCH_OK:
    return "ok";
  case HP_BENCH_UNSUPPORTED:
    return "unsupported";
  case HP_BENCH_SKIPPED:
    return "skipped";
  case HP_BENCH_ERROR:
    break;
  }
  return "error";
}

void hp_device_info_free(hp_device_info *devs, size_t n) {
  if (!devs)
    return;
  for (size_t i = 0; i < n; i++) {
    hp_free(devs[i].id);
    hp_free(devs[i].platform);
    hp_free(devs[i].name);
    hp_free(devs[i].vendor);
    hp_free(devs[i].driver_version);
  }
  hp_free(devs);
}
