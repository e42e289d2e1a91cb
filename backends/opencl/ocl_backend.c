/* ocl_backend.c - the OpenCL backend's vtable instance: open/close of the
 * state, and the probe and bench slots forwarded to ocl_probe.c and
 * ocl_bench.c. Links against the Khronos ICD loader (libOpenCL), so any
 * installed driver (PoCL, NVIDIA, ROCm, Intel) is seen. */
#include <string.h>

#include "mem.h"
#include "ocl.h"
#include "status.h"

static int ocl_open(const hp_backend_config *cfg, void **state, hp_diag *d) {
  hp_ocl_state *st = hp_calloc(1, sizeof *st);
  if (!st)
    return hp_diag_oom(d);
  if (cfg)
    st->cfg = *cfg;
  *state = st;
  return HP_OK;
}

static int ocl_probe(void *state, hp_device_info **devs, size_t *n,
                     hp_diag *d) {
  return hp_ocl_probe(state, devs, n, d);
}

static int ocl_bench(void *state, const hp_device_info *dev,
                     const hp_bench_spec *spec, hp_bench_result *result,
                     hp_diag *d) {
  return hp_ocl_bench(state, dev, spec, result, d);
}

static void ocl_close(void *state) {
  hp_ocl_state *st = state;
  if (!st)
    return;
  for (size_t i = 0; i < st->n_devs; i++)
    hp_ocl_dev_close(&st->devs[i]);
  hp_free(st->devs);
  hp_free(st);
}

const hp_backend hp_ocl_backend = {
    HP_BACKEND_ABI_VERSION, /* abi_version */
    "opencl",               /* name */
    ocl_open,               /* open: state holds the config and devices */
    ocl_probe,              /* probe: every platform, every device */
    ocl_bench,              /* bench: kernels, CLBlast, event timing */
    ocl_close,              /* close: releases contexts and programs */
};
