/* test_ocl.c - the OpenCL backend on a real driver: PoCL's CPU device, which
 * CI installs (pocl-opencl-icd). Enumeration, a plausible positive figure
 * from every micro-benchmark, and the fault cases (forced kernel build
 * error, oversize buffer, kernel over its time limit), each with the
 * documented reason while the other figures go on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "ocl_common.h"

static void ocl_enumerates_cpu(void **state) {
  (void)state;
  const hp_backend *b = hp_backend_find("opencl");
  hp_backend_config cfg;
  hp_diag d;
  void *st = NULL;
  hp_device_info *devs = NULL;
  size_t n = 0;
  int cpu = 0;
  assert_non_null(b);
  memset(&cfg, 0, sizeof cfg);
  assert_int_equal(b->open(&cfg, &st, &d), HP_OK);
  assert_int_equal(b->probe(st, &devs, &n, &d), HP_OK);
  for (size_t i = 0; i < n; i++) {
    print_message("%s %s [%s] %u CUs %u MHz %llu bytes fp16=%d(%s)\n",
                  devs[i].id, devs[i].name, hp_devclass_name(devs[i].devclass),
                  devs[i].compute_units, devs[i].clock_mhz,
                  devs[i].memory_bytes, devs[i].fp16, devs[i].fp16_how);
    assert_non_null(devs[i].id);
    assert_non_null(devs[i].name);
    assert_non_null(devs[i].fp16_how);
    if (devs[i].devclass == HP_DEVCLASS_CPU) {
      cpu++;
      assert_true(devs[i].compute_units >= 1);
      assert_true(devs[i].memory_bytes > 0);
      assert_true(devs[i].max_alloc_bytes > 0);
    }
  }
  /* CI installs PoCL; a host without any CPU OpenCL device fails here. */
  assert_true(cpu >= 1);
  hp_device_info_free(devs, n);
  b->close(st);
}

/* Plausible ranges on any CPU: above a floor that rules out a broken
 * measurement and below what no CPU socket reaches. The SGEMM floor is 0.1:
 * CLBlast at n = 512 on a two-core PoCL device gave 0.82-2.01 GFLOPS alone
 * and 0.33-0.49 under ctest -j2 on a host with a load average of 14 (a
 * broken GEMM gives an error or 0). */
static const struct {
  hp_bench_kind kind;
  double lo, hi;
  int may_be_unsupported;
} ranges[] = {
    {HP_BENCH_FP32_PEAK, 1.0, 1e5, 0}, {HP_BENCH_FP16_PEAK, 1.0, 1e5, 1},
    {HP_BENCH_FP64_PEAK, 0.5, 1e5, 1}, {HP_BENCH_INT8_PEAK, 1.0, 1e6, 1},
    {HP_BENCH_MEM_BW, 0.5, 2000.0, 0}, {HP_BENCH_H2D, 0.1, 2000.0, 0},
    {HP_BENCH_D2H, 0.1, 2000.0, 0},    {HP_BENCH_LAUNCH, 0.01, 1e5, 0},
    {HP_BENCH_SGEMM, 0.1, 1e5, 0},     {HP_BENCH_HGEMM, 0.5, 1e5, 1},
};

static void ocl_figures_plausible(void **state) {
  (void)state;
  for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
    int found;
    hp_bench_result r =
        run_one(NULL, HP_DEVCLASS_CPU, ranges[i].kind, 100.0, &found);
    assert_true(found);
    print_message("kind %d: %s %.3f (%s%s)\n", (int)ranges[i].kind,
                  hp_bench_status_name(r.status), r.value, r.detail, r.reason);
    if (r.status == HP_BENCH_UNSUPPORTED && ranges[i].may_be_unsupported) {
      assert_true(r.reason[0] != '\0');
      continue;
    }
    assert_int_equal(r.status, HP_BENCH_OK);
    assert_true(r.value >= ranges[i].lo && r.value <= ranges[i].hi);
    assert_true(r.best > 0);
    assert_true(r.repeats >= 1);
  }
}

static void ocl_forced_build_error(void **state) {
  (void)state;
  int found;
  hp_bench_result r =
      run_one("build", HP_DEVCLASS_CPU, HP_BENCH_FP32_PEAK, 100.0, &found);
  assert_true(found);
  assert_int_equal(r.status, HP_BENCH_ERROR);
  assert_non_null(strstr(r.reason, "kernel build failed: "
                                   "CL_BUILD_PROGRAM_FAILURE (-11)"));
  assert_non_null(strstr(r.reason, "forced build failure"));
  /* A transfer needs no kernel: it still measures. */
  r = run_one("build", HP_DEVCLASS_CPU, HP_BENCH_H2D, 100.0, &found);
  assert_int_equal(r.status, HP_BENCH_OK);
}

static void ocl_oversize_buffer(void **state) {
  (void)state;
  int found;
  hp_bench_result r =
      run_one("oversize", HP_DEVCLASS_CPU, HP_BENCH_MEM_BW, 100.0, &found);
  assert_true(found);
  assert_int_equal(r.status, HP_BENCH_ERROR);
  assert_non_null(strstr(r.reason, "exceeds the device's largest allocation"));
  assert_non_null(strstr(r.reason, "CL_DEVICE_MAX_MEM_ALLOC_SIZE"));
  r = run_one("oversize", HP_DEVCLASS_CPU, HP_BENCH_FP32_PEAK, 100.0, &found);
  assert_int_equal(r.status, HP_BENCH_OK);
}

static void ocl_kernel_too_long(void **state) {
  (void)state;
  int found;
  hp_bench_result r =
      run_one("slow", HP_DEVCLASS_CPU, HP_BENCH_FP32_PEAK, 100.0, &found);
  assert_true(found);
  assert_int_equal(r.status, HP_BENCH_ERROR);
  assert_non_null(strstr(r.reason, "over the 0.001 ms limit per kernel"));
}

/* VmSize of this process, bytes (0 if unreadable). */
static unsigned long long vm_size(void) {
  char line[256];
  unsigned long long kb = 0;
  FILE *f = fopen("/proc/self/status", "r");
  if (!f)
    return 0;
  while (fgets(line, sizeof line, f))
    if (strncmp(line, "VmSize:", 7) == 0)
      kb = strtoull(line + 7, NULL, 10);
  fclose(f);
  return kb * 1024ull;
}

/* Issue 19, 8: under an address-space limit the bandwidth buffer is cut to
 * what the process can get, and the figure says so; before, the probe
 * asked for its full buffer and PoCL aborted when it could not back it.
 * 500 MiB of room past what this process (PoCL loaded by the tests above)
 * maps leaves less than the 256 MiB buffer plus the driver's reserve. */
static void ocl_buffers_fit_limit(void **state) {
  (void)state;
  struct rlimit old, rl;
  int found;
  unsigned long long vm = vm_size();
  assert_true(vm > 0);
  assert_int_equal(getrlimit(RLIMIT_AS, &old), 0);
  rl = old;
  rl.rlim_cur = (rlim_t)(vm + (500ull << 20));
  if (old.rlim_max != RLIM_INFINITY && rl.rlim_cur > old.rlim_max)
    skip();
  assert_int_equal(setrlimit(RLIMIT_AS, &rl), 0);
  hp_bench_result r =
      run_one(NULL, HP_DEVCLASS_CPU, HP_BENCH_MEM_BW, 100.0, &found);
  hp_bench_result g =
      run_one(NULL, HP_DEVCLASS_CPU, HP_BENCH_SGEMM, 100.0, &found);
  assert_int_equal(setrlimit(RLIMIT_AS, &old), 0);
  print_message("mem_bw: %s %.3f (%s%s); sgemm: %s (%s%s)\n",
                hp_bench_status_name(r.status), r.value, r.detail, r.reason,
                hp_bench_status_name(g.status), g.detail, g.reason);
  assert_true(found);
  assert_int_equal(r.status, HP_BENCH_OK);
  assert_non_null(strstr(r.detail, "(cut to fit RLIMIT_AS)"));
  /* GEMM either runs or says which limit stops CLBlast's compile. */
  if (g.status != HP_BENCH_OK)
    assert_non_null(strstr(g.reason, "RLIMIT_AS"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(ocl_enumerates_cpu),
      cmocka_unit_test(ocl_figures_plausible),
      cmocka_unit_test(ocl_forced_build_error),
      cmocka_unit_test(ocl_oversize_buffer),
      cmocka_unit_test(ocl_kernel_too_long),
      cmocka_unit_test(ocl_buffers_fit_limit),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
