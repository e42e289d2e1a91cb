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
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog.h"
#include "hetplan.h"
#include "scenario.h"

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
      "Huawei", "Cambricon",     "Hygon",          "Kunlunxin", "Alibaba",
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

/* Every shipped card says whether it can be ordered new in China, since
 * when and on what source, and dates its prices; the statuses the issue
 * names hold; every price the domestic rule derives follows the one
 * formula of docs/devices.md. */
static void catalog_market_and_price_dates(void **state) {
  (void)state;
  hp_catalog *c;
  hp_diag d;
  assert_int_equal(hp_catalog_load(HP_SOURCE_DIR "/devices", &c, &d), HP_OK);
  char why[64];
  for (size_t i = 0; i < hp_catalog_count(c); i++) {
    const hp_device_spec *s = hp_catalog_at(c, i);
    if (s->market_china == HP_MARKET_UNKNOWN || !s->market_as_of ||
        !s->market_ref || strlen(s->market_ref) < 20 || !s->price_as_of)
      fail_msg("%s: no market status, date, source or price date", s->id);
    assert_true(hp_catalog_date_check(s->market_as_of, why, sizeof why));
    assert_true(hp_catalog_date_check(s->price_as_of, why, sizeof why));
    /* Not after the day this catalog was reviewed (2026-12-07). */
    assert_true(strcmp(s->market_as_of, "2026-12-07") <= 0);
    assert_true(strcmp(s->price_as_of, "2026-12-07") <= 0);
    const char *ref = s->src[HP_FIG_price_server_cny];
    if (strstr(ref, "domestic price rule")) {
      /* card = 120,000 x FP16/313 to the nearest 1,000 CNY; server =
       * cards x (card + 250,000/8). */
      double card = round(120000 * s->fig[HP_FIG_fp16_tflops] / 313 / 1000);
      double want = s->fig[HP_FIG_cards_per_server] * (card * 1000 + 31250);
      if (fabs(s->fig[HP_FIG_price_server_cny] - want) > 0.5)
        fail_msg("%s: price_server_cny %.0f, the domestic rule gives %.0f",
                 s->id, s->fig[HP_FIG_price_server_cny], want);
      assert_true(s->domestic);
      assert_int_equal(s->conf[HP_FIG_price_server_cny], HP_CONF_E);
    }
  }
  static const struct {
    const char *id;
    hp_market m;
  } want[] = {{"nvidia-h20", HP_MARKET_UNAVAILABLE},
              {"nvidia-h20-141g", HP_MARKET_UNAVAILABLE},
              {"nvidia-h200", HP_MARKET_UNAVAILABLE},
              {"nvidia-b200", HP_MARKET_UNAVAILABLE},
              {"intel-gaudi3", HP_MARKET_UNAVAILABLE},
              {"nvidia-rtx-pro-6000d", HP_MARKET_RESTRICTED},
              {"huawei-ascend-950dt", HP_MARKET_UNAVAILABLE},
              {"huawei-ascend-950pr", HP_MARKET_AVAILABLE},
              {"huawei-ascend-910b3", HP_MARKET_AVAILABLE},
              {"huawei-cloudmatrix-384", HP_MARKET_AVAILABLE},
              {"mthreads-mtt-s5000", HP_MARKET_AVAILABLE},
              {"alibaba-zhenwu-810e", HP_MARKET_AVAILABLE},
              {"cambricon-mlu690", HP_MARKET_UNAVAILABLE}};
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    const hp_device_spec *s = hp_catalog_find(c, want[i].id);
    if (!s)
      fail_msg("missing %s", want[i].id);
    if (s->market_china != want[i].m)
      fail_msg("%s: %s, want %s", s->id, hp_market_name(s->market_china),
               hp_market_name(want[i].m));
  }
  /* A supernode is one purchasable unit of 384 cards. */
  const hp_device_spec *cm = hp_catalog_find(c, "huawei-cloudmatrix-384");
  assert_true(cm->fig[HP_FIG_cards_per_server] == 384);
  assert_true(cm->fig[HP_FIG_server_power_w] == 559000);
  assert_true(
      hp_catalog_find(c, "huawei-ascend-950pr")->fig[HP_FIG_fp4_tflops] ==
      2000);
  hp_catalog_free(c);
}

static void catalog_dates_checked(void **state) {
  (void)state;
  char why[64];
  static const char *const good[] = {"2024-02-29", "2000-02-29", "2025-12-31",
                                     "1970-01-01"};
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
    assert_true(hp_catalog_date_check(good[i], why, sizeof why));
  static const struct {
    const char *s, *why;
  } bad[] = {{"2025-02-29", " (February 2025 has 28 days)"},
             {"1900-02-29", " (the year 1900 is before 1970)"},
             {"2100-02-29", " (February 2100 has 28 days)"},
             {"2025-02-30", " (February 2025 has 28 days)"},
             {"2025-04-31", " (April 2025 has 30 days)"},
             {"2025-13-01", " (there is no month 13)"},
             {"2025-00-10", " (there is no month 00)"},
             {"2025-01-00", " (January 2025 has 31 days)"},
             {"last year", ""},
             {"2025-1-01", ""},
             {"2025/01/01", ""},
             {"2025-01-01x", ""},
             {"", ""}};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    if (hp_catalog_date_check(bad[i].s, why, sizeof why))
      fail_msg("'%s' taken for a date", bad[i].s);
    assert_string_equal(why, bad[i].why);
  }
  hp_market m;
  assert_int_equal(hp_catalog_market_parse("restricted", &m), HP_OK);
  assert_int_equal(m, HP_MARKET_RESTRICTED);
  assert_int_equal(hp_catalog_market_parse("unknown", &m), HP_ENOTFOUND);
  assert_int_equal(hp_catalog_market_parse("Available", &m), HP_ENOTFOUND);
}

/* A bad file of tests/data/bad/devices alone in a catalog: refused with
 * the status, the position and the message its '# expect:' line gives. */
static void load_bad(const char *name, int status, int line, int col,
                     const char *msg) {
  char dir[] = "/tmp/hp-cat-XXXXXX", cmd[512];
  assert_non_null(mkdtemp(dir));
  snprintf(cmd, sizeof cmd, "cp %s/bad/devices/%s %s/", HP_TEST_DATA, name,
           dir);
  assert_int_equal(system(cmd), 0);
  hp_catalog *c = NULL;
  hp_diag d;
  hp_diag_clear(&d);
  int rc = hp_catalog_load(dir, &c, &d);
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  assert_int_equal(system(cmd), 0);
  if (rc != status || d.line != line || d.column != col || !strstr(d.msg, msg))
    fail_msg("%s: got %d at %d:%d '%s', want %d at %d:%d '%s'", name, rc,
             d.line, d.column, d.msg, status, line, col, msg);
  assert_null(c);
  assert_non_null(strstr(d.file, name));
}

static void catalog_bad_market_refused(void **state) {
  (void)state;
  load_bad("date-feb30.yaml", HP_ERANGE, 15, 10,
           "market.as_of: expected a calendar date YYYY-MM-DD, got "
           "'2025-02-30' (February 2025 has 28 days)");
  load_bad("date-month13.yaml", HP_ERANGE, 12, 14,
           "price_as_of: expected a calendar date YYYY-MM-DD, got "
           "'2025-13-01' (there is no month 13)");
  load_bad("date-words.yaml", HP_ERANGE, 12, 14,
           "price_as_of: expected a calendar date YYYY-MM-DD, got "
           "'last year'");
  load_bad("market-status.yaml", HP_ERANGE, 14, 10,
           "market.china: expected available, restricted or unavailable, "
           "got 'banned'");
  load_bad("market-no-as-of.yaml", HP_EMISSING, 14, 3,
           "market: required key 'as_of' is missing");
  load_bad("market-unknown-key.yaml", HP_EKEY, 13, 64,
           "market: unknown key 'since'");
  load_bad("market-scalar.yaml", HP_ETYPE, 13, 9,
           "market: expected {china: available|restricted|unavailable");
  load_bad("price-no-date.yaml", HP_EMISSING, 2, 1,
           "required key 'price_as_of' is missing");
}

/* hetplan devices --format json: every card carries its market status with
 * date and source, its price date, and a source per figure; the table,
 * CSV and Markdown carry the status and dates too; one card renders in
 * full, and an unknown id is refused with a did-you-mean. */
static void catalog_renders_market(void **state) {
  (void)state;
  hp_catalog *c;
  hp_diag d;
  assert_int_equal(hp_catalog_load(HP_SOURCE_DIR "/devices", &c, &d), HP_OK);
  char *text = NULL;
  size_t len = 0;
  assert_int_equal(hp_catalog_render(c, HP_FORMAT_JSON, &text, &len, &d),
                   HP_OK);
  json_error_t err;
  json_t *root = json_loadb(text, len, 0, &err);
  hp_free(text);
  assert_non_null(root);
  json_t *devs = json_object_get(root, "devices");
  assert_int_equal(json_array_size(devs), hp_catalog_count(c));
  char why[64];
  for (size_t i = 0; i < json_array_size(devs); i++) {
    json_t *o = json_array_get(devs, i);
    const char *id = json_string_value(json_object_get(o, "id"));
    json_t *m = json_object_get(o, "market");
    const char *china = json_string_value(json_object_get(m, "china"));
    const char *as_of = json_string_value(json_object_get(m, "as_of"));
    const char *ref = json_string_value(json_object_get(m, "ref"));
    const char *pd = json_string_value(json_object_get(o, "price_as_of"));
    if (!china || !as_of || !ref || !pd ||
        (strcmp(china, "available") && strcmp(china, "restricted") &&
         strcmp(china, "unavailable")) ||
        !hp_catalog_date_check(as_of, why, sizeof why) ||
        !hp_catalog_date_check(pd, why, sizeof why) || strlen(ref) < 20)
      fail_msg("%s: market or price date missing in the JSON", id);
    json_t *src = json_object_get(o, "sources");
    const char *k;
    json_t *e;
    size_t n_src = 0;
    json_object_foreach(src, k, e) {
      n_src++;
      if (!json_string_value(json_object_get(e, "ref")) ||
          !json_string_value(json_object_get(e, "conf")) ||
          !json_string_value(json_object_get(e, "unit")) ||
          !json_is_number(json_object_get(e, "value")))
        fail_msg("%s: sources.%s lacks value, unit, conf or ref", id, k);
    }
    assert_true(n_src >= 6);
    assert_int_equal(n_src, json_object_size(json_object_get(o, "confidence")));
  }
  json_decref(root);

  assert_int_equal(hp_catalog_render(c, HP_FORMAT_CSV, &text, &len, &d), HP_OK);
  assert_non_null(strstr(text, ",fp16_tflops_ref,"));
  assert_non_null(
      strstr(text, ",market_china,market_as_of,market_ref,price_as_of\n"));
  assert_non_null(strstr(text, ",unavailable,2026-01-14,"));
  hp_free(text);
  for (int md = 0; md < 2; md++) {
    assert_int_equal(hp_catalog_render(c, md ? HP_FORMAT_MD : HP_FORMAT_TABLE,
                                       &text, &len, &d),
                     HP_OK);
    assert_non_null(strstr(text, "China (as of)"));
    assert_non_null(strstr(text, "prices as of"));
    assert_non_null(strstr(text, "unavailable 2026-01-14"));
    assert_non_null(strstr(text, "New orders in China: "));
    hp_free(text);
  }

  /* One card in full, in every format. */
  static const hp_format fmts[] = {HP_FORMAT_TABLE, HP_FORMAT_MD, HP_FORMAT_CSV,
                                   HP_FORMAT_JSON};
  for (size_t i = 0; i < 4; i++) {
    assert_int_equal(
        hp_catalog_render_device(c, "nvidia-h200", fmts[i], &text, &len, &d),
        HP_OK);
    assert_non_null(strstr(text, "unavailable"));
    assert_non_null(strstr(text, "2026-01-14"));
    assert_non_null(strstr(text, "2025-12-01"));    /* price date */
    assert_non_null(strstr(text, "news.az/news/")); /* market source */
    assert_non_null(strstr(text, "S53 news.platform.airstarbank.com"));
    assert_non_null(strstr(text, "TFLOPS"));
    hp_free(text);
  }
  assert_int_equal(hp_catalog_render_device(c, "nvidia-h200", HP_FORMAT_TABLE,
                                            &text, &len, &d),
                   HP_OK);
  /* "price_server_cny  1,650,000  CNY  E  ...": grouped, with its unit. */
  assert_non_null(strstr(text, "1,650,000  CNY     E     S53"));
  hp_free(text);
  text = NULL;
  assert_int_equal(hp_catalog_render_device(c, "nvidia-h21", HP_FORMAT_TABLE,
                                            &text, &len, &d),
                   HP_ENODEV);
  assert_null(text);
  assert_string_equal(d.msg, "no card 'nvidia-h21' in the catalog (did you "
                             "mean 'nvidia-h20'?)");
  hp_catalog_free(c);
}

/* price_hour_cny is a figure with a source, as network_gbps: the Melange
 * devices give one, and a plan's override replaces the figure and the field
 * the rent objective reads alike. */
static void catalog_price_hour_is_sourced(void **state) {
  (void)state;
  hp_catalog *c;
  hp_diag d;
  assert_int_equal(
      hp_catalog_load(HP_SOURCE_DIR "/bench/melange/devices", &c, &d), HP_OK);
  const hp_device_spec *s = hp_catalog_find(c, "melange-a10g");
  assert_non_null(s);
  assert_true(fabs(s->fig[HP_FIG_price_hour_cny] - 1.01) < 1e-12);
  assert_true(s->price_hour_cny == s->fig[HP_FIG_price_hour_cny]);
  assert_int_equal(s->conf[HP_FIG_price_hour_cny], HP_CONF_V);
  assert_non_null(
      strstr(s->src[HP_FIG_price_hour_cny], "gpu_info.A10G.cost 1.01"));
  assert_string_equal(hp_figure_unit(HP_FIG_price_hour_cny), "CNY/h");
  static const char plan[] =
      "name: t\n"
      "defaults:\n"
      "  workload: {model: {params: 7e9}, tokens_per_day: 1e9}\n"
      "  devices: [melange-a10g]\n"
      "scenarios:\n"
      "  - name: s\n"
      "    overrides: {melange-a10g: {price_hour_cny: 2.5}}\n";
  hp_planfile *pf = NULL;
  assert_int_equal(hp_planfile_parse(plan, strlen(plan), "p.yaml", c, &pf, &d),
                   HP_OK);
  const hp_scenario *sc = hp_planfile_scenario(pf, 0);
  assert_int_equal(sc->n_cands, 1);
  assert_true(sc->cands[0].spec.price_hour_cny == 2.5);
  assert_true(sc->cands[0].spec.fig[HP_FIG_price_hour_cny] == 2.5);
  assert_int_equal(sc->cands[0].spec.conf[HP_FIG_price_hour_cny], HP_CONF_E);
  hp_planfile_free(pf);
  hp_catalog_free(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(catalog_has_required_skus),
      cmocka_unit_test(catalog_duplicate_id_refused),
      cmocka_unit_test(catalog_empty_or_missing_dir),
      cmocka_unit_test(catalog_market_and_price_dates),
      cmocka_unit_test(catalog_dates_checked),
      cmocka_unit_test(catalog_bad_market_refused),
      cmocka_unit_test(catalog_renders_market),
      cmocka_unit_test(catalog_price_hour_is_sourced),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
