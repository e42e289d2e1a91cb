/* test_ocl_gpu.c - GPU-only checks (label gpu): fp32 roof, memory
 * bandwidth and SGEMM on the first GPU, and fp16 detection by test kernel.
 * Exits 77 (skipped) when no OpenCL GPU is found, as on CI machines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "ocl_common.h"

static int have_gpu(void) {
  const hp_backend *b = hp_backend_find("opencl");
  hp_backend_config cfg;
  hp_diag d;
  void *st = NULL;
  hp_device_info *devs = NULL;
  size_t n = 0;
  int gpu = 0;
  memset(&cfg, 0, sizeof cfg);
  if (!b || b->open(&cfg, &st, &d) != HP_OK)
    return 0;
  if (b->probe(st, &devs, &n, &d) == HP_OK)
    for (size_t i = 0; i < n; i++)
      gpu |= devs[i].devclass == HP_DEVCLASS_GPU;
  hp_device_info_free(devs, n);
  b->close(st);
  return gpu;
}

static void gpu_figures(void **state) {
  (void)state;
  static const hp_bench_kind kinds[] = {HP_BENCH_FP32_PEAK, HP_BENCH_MEM_BW,
                                        HP_BENCH_H2D, HP_BENCH_SGEMM};
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
    int found;
    hp_bench_result r = run_one(NULL, HP_DEVCLASS_GPU, kinds[i], 200, &found);
    assert_true(found);
    print_message("kind %d: %s %.1f %s%s\n", (int)kinds[i],
                  hp_bench_status_name(r.status), r.value, r.detail, r.reason);
    assert_int_equal(r.status, HP_BENCH_OK);
    assert_true(r.value > 1.0);
  }
}

int main(void) {
  if (!have_gpu()) {
    fprintf(stderr, "no OpenCL GPU: skipped\n");
    return 77;
  }
  const struct CMUnitTest tests[] = {cmocka_unit_test(gpu_figures)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
