/* test_ocl_mock.c - the ICD loader mocked with -Wl,--wrap (cmocka's
 * example/mock shape): each outcome of clGetPlatformIDs and clGetDeviceIDs
 * that a real host rarely shows, and the error names of ocl_err.c. */
#define _POSIX_C_SOURCE 200809L /* setenv, mkdtemp */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CL_TARGET_OPENCL_VERSION 300
#include <CL/cl.h>
#include <CL/cl_ext.h>

#include "backend.h"

cl_int __wrap_clGetPlatformIDs(cl_uint n, cl_platform_id *p, cl_uint *np);
cl_int __wrap_clGetDeviceIDs(cl_platform_id p, cl_device_type t, cl_uint n,
                             cl_device_id *d, cl_uint *nd);

cl_int __wrap_clGetPlatformIDs(cl_uint n, cl_platform_id *p, cl_uint *np) {
  (void)n;
  if (p)
    p[0] = (cl_platform_id)(uintptr_t)0x1;
  if (np)
    *np = 1;
  return (cl_int)mock();
}

cl_int __wrap_clGetDeviceIDs(cl_platform_id p, cl_device_type t, cl_uint n,
                             cl_device_id *d, cl_uint *nd) {
  (void)p;
  (void)t;
  (void)n;
  (void)d;
  if (nd)
    *nd = 0;
  return (cl_int)mock();
}

static int probe_once(size_t *n, hp_diag *d) {
  const hp_backend *b = hp_backend_find("opencl");
  hp_backend_config cfg;
  void *st = NULL;
  hp_device_info *devs = NULL;
  memset(&cfg, 0, sizeof cfg);
  assert_int_equal(b->open(&cfg, &st, d), HP_OK);
  int rc = b->probe(st, &devs, n, d);
  hp_device_info_free(devs, rc == HP_OK ? *n : 0);
  b->close(st);
  return rc;
}

static void mock_platform_not_found(void **state) {
  (void)state;
  size_t n = 99;
  hp_diag d;
  /* No vendor file lists a driver: the host has no OpenCL. (With the real
   * vendor directory the backend would load the host's drivers to see
   * whether one fails.) */
  setenv("OCL_ICD_VENDORS", "/nonexistent/hetplan-test-vendors", 1);
  will_return(__wrap_clGetPlatformIDs, CL_PLATFORM_NOT_FOUND_KHR);
  assert_int_equal(probe_once(&n, &d), HP_OK);
  assert_int_equal(n, 0);
}

/* Issue 19, 8: a vendor file lists a driver that does not load (under
 * ulimit -v: "failed to map segment"). That is not "no OpenCL installed":
 * the probe fails with the driver, the file and the loader's reason. */
static void mock_driver_does_not_load(void **state) {
  (void)state;
  size_t n = 99;
  hp_diag d;
  char dir[] = "/tmp/hetplan-icd-XXXXXX", path[64];
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/broken.icd", dir);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs("libhetplan-no-such-driver.so\n", f);
  fclose(f);
  setenv("OCL_ICD_VENDORS", dir, 1);
  will_return(__wrap_clGetPlatformIDs, CL_PLATFORM_NOT_FOUND_KHR);
  int rc = probe_once(&n, &d);
  remove(path);
  remove(dir);
  assert_int_equal(rc, HP_EBACKEND);
  print_message("%s\n", d.msg);
  assert_non_null(strstr(d.msg, "no OpenCL driver could be loaded: "
                                "libhetplan-no-such-driver.so (listed in "));
  assert_non_null(strstr(d.msg, "broken.icd): "));
  assert_non_null(strstr(d.msg, "libhetplan-no-such-driver.so: cannot open"));
}

static void mock_device_not_found(void **state) {
  (void)state;
  size_t n = 99;
  hp_diag d;
  will_return_count(__wrap_clGetPlatformIDs, CL_SUCCESS, 2);
  will_return_count(__wrap_clGetDeviceIDs, CL_DEVICE_NOT_FOUND, 1);
  assert_int_equal(probe_once(&n, &d), HP_OK);
  assert_int_equal(n, 0);
}

static void mock_loader_out_of_memory(void **state) {
  (void)state;
  size_t n = 99;
  hp_diag d;
  will_return(__wrap_clGetPlatformIDs, CL_OUT_OF_HOST_MEMORY);
  assert_int_equal(probe_once(&n, &d), HP_ENOMEM);
  assert_string_equal(d.msg, "clGetPlatformIDs: CL_OUT_OF_HOST_MEMORY (-6)");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(mock_platform_not_found),
      cmocka_unit_test(mock_driver_does_not_load),
      cmocka_unit_test(mock_device_not_found),
      cmocka_unit_test(mock_loader_out_of_memory),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
