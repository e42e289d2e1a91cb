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
#include "profile.h"

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

/* The probe run (hp_profile_probe) as `hetplan probe` calls it: every
 * figure of each device, or of the one asked for, reported as it goes. */
typedef struct seen {
  int figures, errors, devices, devices_ok;
} seen;

static void count_progress(const hp_probe_progress *p, void *ud) {
  seen *s = ud;
  s->figures += p->event == HP_PROBE_FIGURE;
  s->errors += p->event == HP_PROBE_ERROR;
  s->devices += p->event == HP_PROBE_DEVICE;
  s->devices_ok += p->event == HP_PROBE_DEVICE && p->figures_ok > 0;
}

static void fake_probe_run(void **state) {
  (void)state;
  const hp_backend *b = hp_backend_find("fake");
  hp_backend_config cfg;
  hp_diag d;
  void *st = NULL;
  memset(&cfg, 0, sizeof cfg);
  cfg.fake_file = DATA("two_devices.yaml");
  assert_int_equal(b->open(&cfg, &st, &d), HP_OK);
  seen s = {0, 0, 0, 0};
  hp_probe_opts o = {NULL,           1, "host", "2026-01-01T00:00:00Z",
                     count_progress, &s};
  hp_profile *p = NULL;
  size_t probed = 0, measured = 0;
  assert_int_equal(hp_profile_probe(b, st, &o, &p, &probed, &measured, &d),
                   HP_OK);
  assert_int_equal(probed, 2);
  assert_int_equal(measured, 2);
  assert_int_equal(hp_profile_count(p), 2);
  assert_int_equal(s.figures, 2 * HP_BENCH_COUNT);
  assert_int_equal(s.devices, 2);
  hp_bench_result r;
  hp_profile_result(p, 0, HP_BENCH_FP32_PEAK, &r);
  assert_int_equal(r.status, HP_BENCH_OK);
  assert_true(fabs(r.value - 63707.0) < 1e-9);
  hp_profile_free(p);
  /* One device, then one that is not there (the ids found listed). */
  o.device = "1:0";
  o.progress = NULL;
  assert_int_equal(hp_profile_probe(b, st, &o, &p, &probed, &measured, &d),
                   HP_OK);
  assert_int_equal(probed, 1);
  assert_int_equal(hp_profile_count(p), 1);
  hp_profile_free(p);
  p = NULL;
  o.device = "9:9";
  assert_int_equal(hp_profile_probe(b, st, &o, &p, &probed, &measured, &d),
                   HP_ENODEV);
  assert_null(p);
  assert_string_equal(d.msg, "no device '9:9' (found: 0:0 1:0)");
  b->close(st);
  /* Nothing measured: still a profile, with each error reported. */
  cfg.fake_file = DATA("nothing_measured.yaml");
  assert_int_equal(b->open(&cfg, &st, &d), HP_OK);
  memset(&s, 0, sizeof s);
  o = (hp_probe_opts){NULL,           1, "host", "2026-01-01T00:00:00Z",
                      count_progress, &s};
  assert_int_equal(hp_profile_probe(b, st, &o, &p, &probed, &measured, &d),
                   HP_OK);
  assert_int_equal(probed, 1);
  assert_int_equal(measured, 0);
  assert_true(s.errors >= 2);
  assert_int_equal(s.devices_ok, 0);
  hp_profile_free(p);
  b->close(st);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(fake_registry),
      cmocka_unit_test(fake_probe_and_bench),
      cmocka_unit_test(fake_open_errors),
      cmocka_unit_test(fake_probe_run),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
