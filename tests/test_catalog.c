#define _POSIX_C_SOURCE 200809L
/* test_catalog.c - the shipped catalog (devices/): every required SKU is
 * there, every figure has a source, domestic follows the vendor; and the
 * loader's lookups and its refusal of a duplicate id. The bad-file corpus
 * (tests/data/bad/devices) is run by tests/cli/run.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog.h"
#include "hetplan.h"

static void catalog_has_required_skus(void **state) {
  (void)state;
  hp_catalog *c;
  hp_diag d;
  assert_int_equal(hp_catalog_load(HP_SOURCE_DIR "/devices", &c, &d), HP_OK);
  static const char *const ids[] = {
      "nvidia-h20",          "nvidia-h100",
      "nvidia-h200",         "nvidia-h800",
      "nvidia-a100",         "nvidia-a800",
      "nvidia-l20",          "nvidia-l40s",
      "nvidia-b200",         "huawei-ascend-910b2",
      "huawei-ascend-910b3", "huawei-ascend-910b4",
      "huawei-ascend-910c",  "huawei-atlas-300i-duo",
      "cambricon-mlu370-x8", "cambricon-mlu590",
      "hygon-k100-ai",       "hygon-bw200",
      "kunlunxin-p800",      "metax-c550",
      "mthreads-mtt-s4000",  "iluvatar-bi-v150",
      "intel-gaudi3",        "amd-mi300x"};
  for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
    const hp_device_spec *s = hp_catalog_find(c, ids[i]);
    if (!s)
      print_error("missing %s\n", ids[i]);
    assert_non_null(s);
  }
  static const char *const domestic_vendors[] = {
      "Huawei", "Cambricon",     "Hygon",          "Kunlunxin",
      "MetaX",  "Moore Threads", "Iluvatar CoreX", "Biren"};
  for (size_t i = 0; i < hp_catalog_count(c); i++) {
    const hp_device_spec *s = hp_catalog_at(c, i);
    int dom = 0;
    for (size_t k = 0; k < sizeof domestic_vendors / sizeof *domestic_vendors;
         k++)
      dom |= strcmp(s->vendor, domestic_vendors[k]) == 0;
    assert_int_equal(s->domestic, dom);
    for (int f = 0; f < HP_FIG_COUNT; f++) {
      if (s->fig[f] <= 0)
        continue;
      assert_true(s->conf[f] != HP_CONF_NONE);
      assert_non_null(s->src[f]);
      assert_true(strlen(s->src[f]) > 5);
    }
    /* Sorted by vendor, then id. */
    if (i)
      assert_true(strcasecmp(hp_catalog_at(c, i - 1)->vendor, s->vendor) <= 0);
  }
  /* The broker report's figures for the H20. */
  const hp_device_spec *h20 = hp_catalog_find(c, "nvidia-h20");
  assert_true(h20->fig[HP_FIG_fp16_tflops] == 148);
  assert_true(h20->fig[HP_FIG_price_server_cny] == 840000);
  assert_true(h20->fig[HP_FIG_cards_per_server] == 8);
  assert_null(hp_catalog_find(c, "nvidia-h21"));
  assert_string_equal(hp_catalog_suggest(c, "nvidia-h21"), "nvidia-h20");
  hp_catalog_free(c);
}

static void catalog_duplicate_id_refused(void **state) {
  (void)state;
  char dir[] = "/tmp/hp-cat-XXXXXX";
  assert_non_null(mkdtemp(dir));
  char cmd[512];
  snprintf(cmd, sizeof cmd,
           "cp %s/catalog/alpha-a.yaml %s/ && mkdir -p %s/sub && "
           "cp %s/catalog/alpha-a.yaml %s/alpha-a.yml",
           HP_TEST_DATA, dir, dir, HP_TEST_DATA, dir);
  assert_int_equal(system(cmd), 0);
  hp_catalog *c = NULL;
  hp_diag d;
  assert_int_equal(hp_catalog_load(dir, &c, &d), HP_EDUP);
  assert_null(c);
  assert_non_null(strstr(d.msg, "device id 'alpha-a' is already defined in"));
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  assert_int_equal(system(cmd), 0);
}

static void catalog_empty_or_missing_dir(void **state) {
  (void)state;
  hp_catalog *c = NULL;
  hp_diag d;
  assert_int_equal(hp_catalog_load("/nonexistent-hetplan", &c, &d), HP_EIO);
  assert_non_null(strstr(d.msg, "cannot open catalog directory"));
  char dir[] = "/tmp/hp-empty-XXXXXX";
  assert_non_null(mkdtemp(dir));
  assert_int_equal(hp_catalog_load(dir, &c, &d), HP_EEMPTY);
  assert_non_null(strstr(d.msg, "no *.yaml device files"));
  rmdir(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(catalog_has_required_skus),
      cmocka_unit_test(catalog_duplicate_id_refused),
      cmocka_unit_test(catalog_empty_or_missing_dir),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
