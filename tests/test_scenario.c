/* test_scenario.c - plan files: merging, binding and every input error,
 * each checked for its status, its file:line:column and its words. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hetplan.h"
#include "scenario.h"

static hp_catalog *cat;

static int setup(void **state) {
  (void)state;
  hp_diag d;
  return hp_catalog_load(HP_SOURCE_DIR "/devices", &cat, &d);
}
static int teardown(void **state) {
  (void)state;
  hp_catalog_free(cat);
  return 0;
}

static const char *good_head = "name: t\n"
                               "defaults:\n"
                               "  workload:\n"
                               "    model: {params: 130e9}\n"
                               "    tokens_per_day: 4.0e12\n"
                               "    peak_factor: 4\n"
                               "  devices: [nvidia-h20]\n";

/* Parses text; expects status rc at line:col with msg containing `want`. */
static void expect_error(const char *text, int rc, int line, int col,
                         const char *want) {
  hp_planfile *pf = NULL;
  hp_diag d;
  hp_diag_clear(&d);
  int got = hp_planfile_parse(text, strlen(text), "p.yaml", cat, &pf, &d);
  if (got != rc || !strstr(d.msg, want) || d.line != line || d.column != col)
    print_error("got %s at %d:%d '%s'; want %s at %d:%d '%s'\n",
                hp_status_name(got), d.line, d.column, d.msg,
                hp_status_name(rc), line, col, want);
  assert_int_equal(got, rc);
  assert_null(pf);
  assert_string_equal(d.file, "p.yaml");
  assert_int_equal(d.line, line);
  assert_int_equal(d.column, col);
  assert_non_null(strstr(d.msg, want));
}

static hp_planfile *parse_ok(const char *text) {
  hp_planfile *pf = NULL;
  hp_diag d;
  hp_diag_clear(&d);
  int rc = hp_planfile_parse(text, strlen(text), "p.yaml", cat, &pf, &d);
  if (rc != HP_OK)
    print_error("unexpected: %s:%d:%d: %s\n", d.file, d.line, d.column, d.msg);
  assert_int_equal(rc, HP_OK);
  return pf;
}

/* MFU and MBU take one precedence: override > plan > device file >
 * default (0.5, 0.8). A device file with its own mfu and mbu, in a catalog
 * of its own. */
static void efficiency_precedence(void **state) {
  (void)state;
  char dir[] = "/tmp/hp_eff_XXXXXX", path[64];
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/eff-a.yaml", dir);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs("id: eff-a\nvendor: Eff\nname: Eff-A\ndomestic: false\n"
        "memory_gb: 64\nmemory_bw_tbps: 1.0\nfp16_tflops: 25\ntdp_w: 800\n"
        "cards_per_server: 8\nprice_server_cny: 1000000\nmfu: 0.3\nmbu: 0.5\n"
        "sources:\n",
        f);
  const char *keys[] = {
      "memory_gb",        "memory_bw_tbps",   "fp16_tflops", "tdp_w",
      "cards_per_server", "price_server_cny", "mfu",         "mbu"};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
    fprintf(f, "  %s: {conf: E, ref: \"test\"}\n", keys[i]);
  assert_int_equal(fclose(f), 0);
  hp_catalog *c = NULL;
  hp_diag d;
  hp_diag_clear(&d);
  int rc = hp_catalog_load(dir, &c, &d);
  unlink(path);
  rmdir(dir);
  if (rc != HP_OK)
    print_error("%s:%d:%d: %s\n", d.file, d.line, d.column, d.msg);
  assert_int_equal(rc, HP_OK);
  static const struct {
    const char *extra;
    double mfu, mbu;
  } cases[] = {
      {"", 0.3, 0.5},
      {"  mfu: 0.6\n  mbu: 0.9\n", 0.6, 0.9},
      {"  mbu: 0.9\n", 0.3, 0.9},
      {"  mbu: 0.9\n  overrides: {eff-a: {mbu: 0.7, mfu: 0.4}}\n", 0.4, 0.7},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char text[512];
    snprintf(text, sizeof text,
             "name: t\ndefaults:\n  workload: {model: {params: 7e9}, "
             "tokens_per_day: 1e10}\n  devices: [eff-a]\n%s"
             "scenarios: [{name: a}]\n",
             cases[i].extra);
    hp_planfile *pf = NULL;
    hp_diag_clear(&d);
    rc = hp_planfile_parse(text, strlen(text), "p.yaml", c, &pf, &d);
    if (rc != HP_OK)
      print_error("case %zu: %d:%d: %s\n", i, d.line, d.column, d.msg);
    assert_int_equal(rc, HP_OK);
    const hp_candidate *k = &hp_planfile_scenario(pf, 0)->cands[0];
    if (fabs(k->mfu - cases[i].mfu) > 1e-12 ||
        fabs(k->mbu - cases[i].mbu) > 1e-12)
      print_error("case %zu: mfu %g mbu %g, want %g %g\n", i, k->mfu, k->mbu,
                  cases[i].mfu, cases[i].mbu);
    assert_true(fabs(k->mfu - cases[i].mfu) < 1e-12);
    assert_true(fabs(k->mbu - cases[i].mbu) < 1e-12);
    hp_planfile_free(pf);
  }
  hp_catalog_free(c);
}

static void scenario_merge_defaults(void **state) {
  (void)state;
  char text[1024];
  snprintf(text, sizeof text,
           "%sscenarios:\n  - name: a\n  - name: b\n"
           "    workload: {peak_factor: 5}\n",
           good_head);
  hp_planfile *pf = parse_ok(text);
  assert_int_equal(hp_planfile_count(pf), 2);
  const hp_scenario *a = hp_planfile_scenario(pf, 0);
  const hp_scenario *b = hp_planfile_scenario(pf, 1);
  assert_true(a->peak_factor == 4);
  assert_true(b->peak_factor == 5);
  /* The deep merge kept the rest of workload from defaults. */
  assert_true(b->tokens_per_day == 4.0e12);
  assert_true(b->model.params == 130e9);
  assert_true(a->seconds_per_day == 86400);
  assert_int_equal(a->gran, HP_GRAN_SERVER);
  assert_int_equal(a->n_cands, 1);
  assert_string_equal(a->cands[0].spec.id, "nvidia-h20");
  hp_planfile_free(pf);
}

/* The MoE shape keys, sparse attention and fp4 (issue 20): parsed into the
 * model; the MoE shape keys need experts and dense_layers fewer than
 * layers. */
static const char *moe_head =
    "name: t\n"
    "defaults:\n"
    "  workload:\n"
    "    tokens_per_day: 4.0e12\n"
    "    model: {params: 671e9, active_params: 37e9, layers: 61,\n"
    "            hidden_size: 7168, heads: 128, experts: 256,\n"
    "            experts_per_token: 8, kv_lora_rank: 512,\n"
    "            qk_rope_head_dim: 64, weight_dtype: fp4, kv_dtype: fp8,\n"
    "            %s}\n"
    "  devices: [nvidia-h20]\n"
    "scenarios:\n  - name: a\n";

static void scenario_model_moe_keys(void **state) {
  (void)state;
  char text[1024];
  snprintf(text, sizeof text, moe_head,
           "moe_intermediate_size: 2048, shared_experts: 1, dense_layers: 3,"
           " sparse_attention_topk: 2048");
  hp_planfile *pf = parse_ok(text);
  const hp_model_desc *m = &hp_planfile_scenario(pf, 0)->model;
  assert_true(m->moe_intermediate_size == 2048);
  assert_true(m->shared_experts == 1);
  assert_true(m->dense_layers == 3);
  assert_true(m->sparse_attention_topk == 2048);
  assert_int_equal(m->weight_dtype, HP_DTYPE_FP4);
  assert_string_equal(hp_dtype_name(m->weight_dtype), "fp4");
  assert_true(hp_dtype_bytes(HP_DTYPE_FP4) == 0.5);
  hp_planfile_free(pf);
  snprintf(text, sizeof text, moe_head, "dense_layers: 61");
  expect_error(text, HP_ERANGE, 9, 27,
               "workload.model.dense_layers: expected fewer than layers (61)");
  snprintf(text, sizeof text, moe_head, "shared_experts: 1.5");
  expect_error(text, HP_ERANGE, 9, 29, "expected a whole number");
  snprintf(text, sizeof text, moe_head, "sparse_attention_topk: -1");
  expect_error(text, HP_ERANGE, 9, 36, "sparse_attention_topk");
  snprintf(text, sizeof text,
           "%sscenarios:\n  - name: a\n    workload: {model: {params: 7e9, "
           "layers: 32, hidden_size: 4096, heads: 32, shared_experts: 1}}\n",
           good_head);
  expect_error(text, HP_EINVAL, 10, 95,
               "workload.model.shared_experts: only for a mixture-of-experts");
}

static void scenario_users_replace_tokens(void **state) {
  (void)state;
  char text[1024];
  snprintf(text, sizeof text,
           "%s  overrides: {nvidia-h20: {price_server_cny: 1.0e6, mfu: 0.4}}\n"
           "scenarios:\n  - name: a\n"
           "    workload: {users: 1.0e8, tokens_per_user_per_day: 1000}\n",
           good_head);
  hp_planfile *pf = parse_ok(text);
  const hp_scenario *a = hp_planfile_scenario(pf, 0);
  assert_true(a->tokens_per_day == 1.0e11);
  assert_true(a->cands[0].spec.fig[HP_FIG_price_server_cny] == 1.0e6);
  assert_true(a->cands[0].mfu == 0.4);
  assert_string_equal(a->cands[0].mfu_from, "override");
  hp_planfile_free(pf);
}

/* roofline.attention selects how decode attention reads the KV cache
 * (docs/roofline.md, "KV reads"); grouped is the default. */
static void scenario_roofline_attention(void **state) {
  (void)state;
  char text[1024];
  snprintf(text, sizeof text,
           "%sscenarios:\n  - name: a\n  - name: b\n"
           "    roofline: {attention: per_query_head}\n"
           "  - name: c\n    roofline: {attention: grouped}\n",
           good_head);
  hp_planfile *pf = parse_ok(text);
  assert_int_equal(hp_planfile_scenario(pf, 0)->roof.attention, 0);
  assert_int_equal(hp_planfile_scenario(pf, 1)->roof.attention, 1);
  assert_int_equal(hp_planfile_scenario(pf, 2)->roof.attention, 0);
  hp_planfile_free(pf);
}

/* solver.mip_gap: 0 (prove the optimum) unless a plan says otherwise; a
 * fraction; settable by path like any numeric key; nothing else under
 * solver:. */
static void scenario_solver_mip_gap(void **state) {
  (void)state;
  char text[1024];
  snprintf(text, sizeof text,
           "%sscenarios:\n  - name: a\n  - name: b\n"
           "    solver: {mip_gap: 1.0e-5}\n",
           good_head);
  hp_planfile *pf = parse_ok(text);
  assert_true(hp_planfile_scenario(pf, 0)->mip_gap == 0);
  assert_true(hp_planfile_scenario(pf, 1)->mip_gap == 1.0e-5);
  hp_diag d;
  assert_int_equal(hp_planfile_set_number(pf, "solver.mip_gap", 0.01, &d),
                   HP_OK);
  assert_true(hp_planfile_scenario(pf, 0)->mip_gap == 0.01);
  assert_true(hp_planfile_scenario(pf, 1)->mip_gap == 0.01);
  hp_planfile_free(pf);
  snprintf(text, sizeof text,
           "%sscenarios:\n  - name: a\n    solver: {mip_gap: 2}\n", good_head);
  expect_error(text, HP_ERANGE, 10, 23,
               "solver.mip_gap: expected a fraction between 0 and 1, got 2");
  snprintf(text, sizeof text,
           "%sscenarios:\n  - name: a\n    solver: {mip_gap: -0.1}\n",
           good_head);
  expect_error(text, HP_ERANGE, 10, 23, "solver.mip_gap");
  snprintf(text, sizeof text,
           "%sscenarios:\n  - name: a\n    solver: {time_limit: 3}\n",
           good_head);
  expect_error(text, HP_EKEY, 10, 14, "solver: unknown key 'time_limit'");
  snprintf(text, sizeof text, "%sscenarios:\n  - name: a\n    solver: 1e-5\n",
           good_head);
  expect_error(text, HP_ETYPE, 10, 13, "solver: expected a mapping");
}

/* solver.node_limit: HP_DEFAULT_NODE_LIMIT unless a plan says otherwise;
 * a whole number from 1 to HP_MAX_NODE_LIMIT; settable by path (so a
 * sweep can vary it), with the same checks. */
static void scenario_solver_node_limit(void **state) {
  (void)state;
  char text[1024];
  snprintf(text, sizeof text,
           "%sscenarios:\n  - name: a\n  - name: b\n"
           "    solver: {node_limit: 5000, mip_gap: 0}\n",
           good_head);
  hp_planfile *pf = parse_ok(text);
  assert_true(hp_planfile_scenario(pf, 0)->node_limit == HP_DEFAULT_NODE_LIMIT);
  assert_true(hp_planfile_scenario(pf, 1)->node_limit == 5000);
  hp_diag d;
  assert_int_equal(hp_planfile_set_number(pf, "solver.node_limit", 70, &d),
                   HP_OK);
  assert_true(hp_planfile_scenario(pf, 0)->node_limit == 70);
  assert_true(hp_planfile_scenario(pf, 1)->node_limit == 70);
  assert_int_not_equal(
      hp_planfile_set_number(pf, "solver.node_limit", 70.5, &d), HP_OK);
  assert_non_null(strstr(d.msg, "solver.node_limit: expected a whole number"));
  hp_planfile_free(pf);
  snprintf(text, sizeof text,
           "%sscenarios:\n  - name: a\n    solver: {node_limit: 0}\n",
           good_head);
  expect_error(text, HP_ERANGE, 10, 26,
               "solver.node_limit: expected a number >= 1, got 0");
  snprintf(text, sizeof text,
           "%sscenarios:\n  - name: a\n    solver: {node_limit: 1e10}\n",
           good_head);
  expect_error(text, HP_ERANGE, 10, 26,
               "solver.node_limit: expected a whole number of nodes from 1 to "
               "1000000000, got 1e+10");
}

/* Keys that name a card no scenario they reach can buy: each reported
 * once, at its own line:column, whether it sits in a scenario or in
 * defaults (in the order of the first scenario's merged keys, defaults
 * first); a default that some scenario uses, a listed card's key and a
 * vendor cap are not. */
static void unused_card_keys(void **state) {
  (void)state;
  const char *text =
      "name: t\n"
      "defaults:\n"
      "  workload: {model: {params: 1e9}, tokens_per_day: 1e12}\n"
      "  overrides: {nvidia-l20: {price_server_cny: 5e5},\n"
      "              nvidia-a100: {price_server_cny: 1e6}}\n"
      "scenarios:\n"
      "  - name: a\n"
      "    devices: [nvidia-h20]\n"
      "    overrides: {nvidia-h20-141g: {price_server_cny: 9e5},\n"
      "                nvidia-h20: {price_server_cny: 8e5}}\n"
      "    constraints: {caps: {nvidia-h200: 8, vendor.NVIDIA: 800}}\n"
      "  - name: b\n"
      "    devices: [nvidia-h20, nvidia-l20]\n";
  hp_planfile *pf = parse_ok(text);
  hp_diag w[8];
  assert_int_equal(hp_planfile_unused_keys(pf, w, 8), 3);
  static const struct {
    int line, col;
    const char *msg;
  } want[] = {
      {5, 15, "overrides.nvidia-a100: no scenario"},
      {9, 17,
       "overrides.nvidia-h20-141g: no scenario it applies to lists card "
       "'nvidia-h20-141g' among its devices, so it changes nothing"},
      {11, 26, "constraints.caps.nvidia-h200: no scenario"},
  };
  for (size_t i = 0; i < 3; i++) {
    assert_string_equal(w[i].file, "p.yaml");
    assert_int_equal(w[i].line, want[i].line);
    assert_int_equal(w[i].column, want[i].col);
    assert_non_null(strstr(w[i].msg, want[i].msg));
  }
  /* Fewer slots than keys: the count is still all of them. */
  assert_int_equal(hp_planfile_unused_keys(pf, w, 1), 3);
  assert_int_equal(w[0].line, 5);
  hp_planfile_free(pf);
}

static void scenario_set_number_by_path(void **state) {
  (void)state;
  char text[1024];
  snprintf(text, sizeof text, "%sscenarios:\n  - name: a\n", good_head);
  hp_planfile *pf = parse_ok(text);
  hp_diag d;
  assert_int_equal(hp_planfile_set_number(pf, "workload.peak_factor", 7, &d),
                   HP_OK);
  assert_true(hp_planfile_scenario(pf, 0)->peak_factor == 7);
  assert_int_equal(hp_planfile_set_number(
                       pf, "overrides.nvidia-h20.price_server_cny", 123, &d),
                   HP_OK);
  assert_true(
      hp_planfile_scenario(pf, 0)->cands[0].spec.fig[HP_FIG_price_server_cny] ==
      123);
  assert_int_equal(
      hp_planfile_set_number(pf, "constraints.domestic_share.min", 0.3, &d),
      HP_OK);
  assert_true(hp_planfile_scenario(pf, 0)->dom_min == 0.3);
  /* A bad path is refused, names the path, and changes nothing. */
  assert_int_equal(
      hp_planfile_set_number(pf, "constraints.domestc_share.min", 0.3, &d),
      HP_EKEY);
  assert_non_null(strstr(d.msg, "constraints.domestc_share.min"));
  assert_non_null(strstr(d.msg, "did you mean 'domestic_share'"));
  assert_int_equal(hp_planfile_set_number(pf, "workload.peak_factor", -1, &d),
                   HP_ERANGE);
  assert_true(hp_planfile_scenario(pf, 0)->peak_factor == 7);
  hp_planfile_free(pf);
}

/* The acceptance list of issue 2, one case each. */
static void error_unknown_key(void **state) {
  (void)state;
  expect_error("name: t\nscenarios:\n  - name: a\n    devices: [nvidia-h20]\n"
               "    workload:\n      model: {params: 1e9}\n"
               "      tokens_per_dya: 1e9\n",
               HP_EKEY, 7, 7,
               "workload: unknown key 'tokens_per_dya' (did you mean "
               "'tokens_per_day'?)");
}

static void error_wrong_type(void **state) {
  (void)state;
  expect_error("name: t\nscenarios:\n  - name: a\n    devices: [nvidia-h20]\n"
               "    workload:\n      model: {params: lots}\n"
               "      tokens_per_day: 1e9\n",
               HP_ETYPE, 6, 23,
               "workload.model.params: expected a number, got 'lots'");
  expect_error("name: t\nscenarios:\n  - name: a\n    devices: nvidia-h20\n"
               "    workload: {model: {params: 1e9}, tokens_per_day: 1e9}\n",
               HP_ETYPE, 4, 14,
               "devices: expected a sequence of device ids or 'all'");
  expect_error("name: t\nscenarios:\n  - name: a\n    devices: [nvidia-h20]\n"
               "    workload: {model: {params: 1e9}, tokens_per_day: "
               "\"1e9\"}\n",
               HP_ETYPE, 5, 54,
               "workload.tokens_per_day: expected a number, got the string "
               "'1e9'");
}

static void error_bad_numbers(void **state) {
  (void)state;
  const char *vals[] = {"-3", "0", ".nan", ".inf", "-.inf"};
  const char *want[] = {"expected a number > 0, got -3",
                        "expected a number > 0, got 0",
                        "expected a finite number, got '.nan'",
                        "expected a finite number, got '.inf'",
                        "expected a finite number, got '-.inf'"};
  int codes[] = {HP_ERANGE, HP_ERANGE, HP_ERANGE, HP_ERANGE, HP_ERANGE};
  for (int i = 0; i < 5; i++) {
    char text[512];
    snprintf(text, sizeof text,
             "name: t\nscenarios:\n  - name: a\n    devices: [nvidia-h20]\n"
             "    workload:\n      model: {params: 1e9}\n"
             "      tokens_per_day: %s\n",
             vals[i]);
    expect_error(text, codes[i], 7, 23, want[i]);
  }
  expect_error("name: t\nscenarios:\n  - name: a\n    devices: [nvidia-h20]\n"
               "    mfu: 1.5\n"
               "    workload: {model: {params: 1e9}, tokens_per_day: 1e9}\n",
               HP_ERANGE, 5, 10,
               "mfu: expected a fraction > 0 and <= 1, got 1.5");
}

static void error_unknown_device(void **state) {
  (void)state;
  expect_error("name: t\nscenarios:\n  - name: a\n    devices: [nvidia-h2O]\n"
               "    workload: {model: {params: 1e9}, tokens_per_day: 1e9}\n",
               HP_ENODEV, 4, 15,
               "devices: unknown device 'nvidia-h2O' (did you mean "
               "'nvidia-h20'?)");
  expect_error("name: t\nscenarios:\n  - name: a\n    devices: [nvidia-h20]\n"
               "    constraints: {caps: {huawei-910x: 5}}\n"
               "    workload: {model: {params: 1e9}, tokens_per_day: 1e9}\n",
               HP_ENODEV, 5, 26, "constraints.caps: unknown device");
}

static void error_duplicate_key(void **state) {
  (void)state;
  expect_error("name: t\nscenarios:\n  - name: a\n    devices: [nvidia-h20]\n"
               "    workload: {model: {params: 1e9}, tokens_per_day: 1e9}\n"
               "    devices: [nvidia-h100]\n",
               HP_EDUP, 6, 5,
               "duplicate key 'devices' (first given at line 4, column 5)");
}

static void error_malformed(void **state) {
  (void)state;
  expect_error("name: t\nscenarios:\n  - name: a\n    devices: [nvidia-h20\n"
               "    workload: {}\n",
               HP_EPARSE, 5, 13, "malformed YAML");
  expect_error("name: t\n  bad indent: 1\n", HP_EPARSE, 2, 13,
               "malformed YAML: mapping values are not allowed");
}

static void error_empty(void **state) {
  (void)state;
  expect_error("", HP_EEMPTY, 1, 1, "file is empty");
  expect_error("# only a comment\n\n", HP_EEMPTY, 1, 1, "file is empty");
}

static void error_missing_and_conflicts(void **state) {
  (void)state;
  expect_error("name: t\nscenarios:\n  - name: a\n    devices: [nvidia-h20]\n",
               HP_EMISSING, 3, 5, "required key 'workload' is missing");
  expect_error("name: t\nscenarios:\n  - name: a\n    devices: [nvidia-h20]\n"
               "    workload: {model: {params: 1e9}, tokens_per_day: 1e9,"
               " users: 5}\n",
               HP_EDUP, 5, 66, "give either tokens_per_day or users");
  expect_error("name: t\nscenarios: []\n", HP_ETYPE, 2, 12,
               "expected a non-empty sequence");
  expect_error("name: t\nscenarios:\n  - name: a\n    devices: [nvidia-h20]\n"
               "    workload: {model: {params: 1e9}, tokens_per_day: 1e9}\n"
               "  - name: a\n    devices: [nvidia-h20]\n"
               "    workload: {model: {params: 1e9}, tokens_per_day: 1e9}\n",
               HP_EDUP, 6, 11, "scenario name 'a' is used twice");
  expect_error("name: t\nscenarios:\n  - name: a\n    devices: [nvidia-h20]\n"
               "    granularity: servers\n"
               "    workload: {model: {params: 1e9}, tokens_per_day: 1e9}\n",
               HP_ERANGE, 5, 18,
               "granularity: expected one of fractional, card, server, got "
               "'servers'");
  expect_error("name: t\nscenarios:\n  - name: a\n    devices: [nvidia-h20]\n"
               "    constraints: {domestic_share: {min: 0.5, max: 0.2}}\n"
               "    workload: {model: {params: 1e9}, tokens_per_day: 1e9}\n",
               HP_ERANGE, 5, 51,
               "constraints.domestic_share.max: expected at least min");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(scenario_merge_defaults),
      cmocka_unit_test(scenario_users_replace_tokens),
      cmocka_unit_test(scenario_roofline_attention),
      cmocka_unit_test(scenario_model_moe_keys),
      cmocka_unit_test(scenario_set_number_by_path),
      cmocka_unit_test(scenario_solver_mip_gap),
      cmocka_unit_test(scenario_solver_node_limit),
      cmocka_unit_test(unused_card_keys),
      cmocka_unit_test(error_unknown_key),
      cmocka_unit_test(error_wrong_type),
      cmocka_unit_test(error_bad_numbers),
      cmocka_unit_test(error_unknown_device),
      cmocka_unit_test(error_duplicate_key),
      cmocka_unit_test(error_malformed),
      cmocka_unit_test(error_empty),
      cmocka_unit_test(error_missing_and_conflicts),
      cmocka_unit_test(efficiency_precedence),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
