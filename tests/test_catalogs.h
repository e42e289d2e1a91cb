/* test_catalogs.h - the group set-up that the planner, what-if and chart
 * tests share: the shipped catalog (devices/) as real_cat and the fixture
 * catalog (tests/data/catalog) as fix_cat, loaded once per test program.
 * Include after <cmocka.h> and hetplan.h. */
#ifndef HP_TEST_CATALOGS_H
#define HP_TEST_CATALOGS_H

static hp_catalog *real_cat, *fix_cat;

static int catalogs_setup(void **state) {
  (void)state;
  hp_diag d;
  if (hp_catalog_load(HP_SOURCE_DIR "/devices", &real_cat, &d) != HP_OK)
    return -1;
  return hp_catalog_load(HP_TEST_DATA "/catalog", &fix_cat, &d);
}

static int catalogs_teardown(void **state) {
  (void)state;
  hp_catalog_free(real_cat);
  hp_catalog_free(fix_cat);
  return 0;
}

#endif
