/* test_ocl_noplatform.c - run with OCL_ICD_VENDORS pointing at an empty
 * directory (CMake sets it): the loader finds no platform, and the probe
 * gives n = 0 and HP_OK rather than an error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#include "backend.h"

static void ocl_no_platform(void **state) {
  (void)state;
  const hp_backend *b = hp_backend_find("opencl");
  hp_backend_config cfg;
  hp_diag d;
  void *st = NULL;
  hp_device_info *devs = NULL;
  size_t n = 99;
  memset(&cfg, 0, sizeof cfg);
  assert_non_null(b);
  assert_int_equal(b->open(&cfg, &st, &d), HP_OK);
  assert_int_equal(b->probe(st, &devs, &n, &d), HP_OK);
  assert_int_equal(n, 0);
  hp_device_info_free(devs, n);
  b->close(st);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(ocl_no_platform)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
