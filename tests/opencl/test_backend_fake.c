/* test_backend_fake.c - the fake backend through the vtable, as the CLI
 * uses any backend: registry lookup, open/probe/bench/close, and its errors
 * (no file, bad file). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "backend.h"

#define DATA(f) HP_TEST_DATA "/" f

static void fake_registry(void **state) {
  (void)state;
  const hp_backend *b = hp_backend_find("fake");
  assert_non_null(b);
  assert_int_equal(b->abi_version, HP_BACKEND_ABI_VERSION);
  assert_string_equal(b->name, "fake");
  assert_null(hp_backend_find("nope"));
  assert_null(hp_backend_find(NULL));
  int seen = 0;
  for (const hp_backend *const *p = hp_backend_list(); *p; p++)
    seen += strcmp((*p)->name, "fake") == 0;
  assert_int_equal(seen, 1);
  assert_string_equal(hp_devclass_name(HP_DEVCLASS_CUSTOM), "custom");
  assert_string_equal(hp_bench_status_name(HP_BENCH_UNSUPPORTED),
                      "unsupported");
}

static void fake_probe_and_bench(void **state) {
  (void)state;
  const hp_backend *b = hp_backend_find("fake");
  hp_backend_config cfg;
  hp_diag d;
  void *st = NULL;
  hp_device_info *devs = NULL;
  size_t n = 0;
  memset(&cfg, 0, sizeof cfg);
  cfg.fake_file = DATA("two_devices.yaml");
  assert_int_equal(b->open(&cfg, &st, &d), HP_OK);
  assert_int_equal(b->probe(st, &devs, &n, &d), HP_OK);
  assert_int_equal(n, 2);
  assert_string_equal(devs[0].id, "0:0");
  assert_string_equal(devs[0].name, "NVIDIA H100 80GB HBM3");
  assert_int_equal(devs[0].devclass, HP_DEVCLASS_GPU);
  assert_int_equal(devs[0].compute_units, 132);
  assert_int_equal(devs[0].fp16, 1);
  assert_int_equal(devs[1].devclass, HP_DEVCLASS_CPU);

  hp_bench_spec spec = {HP_BENCH_FP32_PEAK, "fp32_gflops", "GFLOPS", 100, 3};
  hp_bench_result r;
  assert_int_equal(b->bench(st, &devs[0], &spec, &r, &d), HP_OK);
  assert_int_equal(r.status, HP_BENCH_OK);
  assert_true(fabs(r.value - 63707.0) < 1e-9);
  spec.kind = HP_BENCH_HGEMM;
  assert_int_equal(b->bench(st, &devs[0], &spec, &r, &d), HP_OK);
  assert_int_equal(r.status, HP_BENCH_UNSUPPORTED);
  assert_non_null(strstr(r.reason, "cl_khr_fp16"));
  /* A figure absent from the file is skipped, with a reason. */
  spec.kind = HP_BENCH_H2D;
  assert_int_equal(b->bench(st, &devs[1], &spec, &r, &d), HP_OK);
  assert_int_equal(r.status, HP_BENCH_SKIPPED);
  assert_string_equal(r.reason, "not in the fake file");
  spec.kind = HP_BENCH_HGEMM;
  assert_int_equal(b->bench(st, &devs[1], &spec, &r, &d), HP_OK);
  assert_int_equal(r.status, HP_BENCH_ERROR);
  hp_device_info_free(devs, n);
  b->close(st);
  b->close(NULL); /* NULL-safe */
}

static void fake_open_errors(void **state) {
  (void)state;
  const hp_backend *b = hp_backend_find("fake");
  hp_backend_config cfg;
  hp_diag d;
  void *st = NULL;
  memset(&cfg, 0, sizeof cfg);
  assert_int_equal(b->open(&cfg, &st, &d), HP_EINVAL);
  assert_null(st);
  assert_non_null(strstr(d.msg, "--fake-file"));
  cfg.fake_file = DATA("bad_unit.yaml");
  assert_int_not_equal(b->open(&cfg, &st, &d), HP_OK);
  assert_null(st);
  assert_true(d.line > 0 && d.column > 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(fake_registry),
      cmocka_unit_test(fake_probe_and_bench),
      cmocka_unit_test(fake_open_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
