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
#include <sys/stat.h>
#include <unistd.h>

#include "hetplan.h"
#include "roofline.h"
#include "scenario.h"
#include "solver_cbc.h"

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
        "cards_per_server: 8\nprice_server_cny: 1000000\n"
        "price_as_of: 2026-01-01\nmfu: 0.3\nmbu: 0.5\n"
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
  assert_string_equal(hp_model_dtype_name(m->weight_dtype), "fp4");
  assert_true(hp_model_dtype_bytes(HP_DTYPE_FP4) == 0.5);
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

/* ----------------------------------------------------------------------------
 * The market (issue 20). The catalog's market status is set here on a
 * catalog of the test's own, so that the test does not depend on what the
 * shipped device files say today.
 * ------------------------------------------------------------------------- */

static void set_market(hp_catalog *c, const char *id, hp_market m) {
  hp_device_spec *sp = (hp_device_spec *)hp_catalog_find(c, id);
  assert_non_null(sp);
  sp->market_china = m;
}

static hp_catalog *market_catalog(void) {
  hp_catalog *c = NULL;
  hp_diag d;
  assert_int_equal(hp_catalog_load(HP_SOURCE_DIR "/devices", &c, &d), HP_OK);
  for (size_t i = 0; i < hp_catalog_count(c); i++)
    set_market(c, hp_catalog_at(c, i)->id, HP_MARKET_AVAILABLE);
  set_market(c, "nvidia-h20", HP_MARKET_UNAVAILABLE);
  set_market(c, "nvidia-h200", HP_MARKET_UNAVAILABLE);
  set_market(c, "nvidia-h100", HP_MARKET_UNAVAILABLE);
  set_market(c, "intel-gaudi3", HP_MARKET_RESTRICTED);
  set_market(c, "nvidia-l20", HP_MARKET_UNKNOWN);
  return c;
}

static hp_plan *solve_text(const char *text, const hp_catalog *c,
                           hp_planfile **pf_out) {
  hp_planfile *pf = NULL;
  hp_plan *plan = NULL;
  hp_diag d;
  hp_diag_clear(&d);
  int rc = hp_planfile_parse(text, strlen(text), "p.yaml", c, &pf, &d);
  if (rc != HP_OK)
    print_error("%s:%d:%d: %s\n", d.file, d.line, d.column, d.msg);
  assert_int_equal(rc, HP_OK);
  assert_int_equal(hp_plan_solve(pf, c, &plan, &d), HP_OK);
  *pf_out = pf;
  return plan;
}

/* Checks every scenario of a solved plan against the market rules: under
 * `devices: available` nothing unavailable is bought; whatever is bought
 * that is restricted or unavailable has a warning naming it and its
 * status. Returns how many such lines there were. */
static int check_market(const hp_plan *plan, const hp_planfile *pf,
                        const hp_catalog *c) {
  int flagged = 0;
  for (size_t i = 0; i < hp_plan_count(plan); i++) {
    const hp_scenario_result *r = hp_plan_at(plan, i);
    const hp_scenario *s = hp_planfile_scenario(pf, i);
    for (size_t j = 0; j < r->n_lines; j++) {
      const hp_device_spec *sp = hp_catalog_find(c, r->lines[j].device);
      hp_market m = sp->market_china;
      if (s->devices_available)
        assert_int_not_equal(m, HP_MARKET_UNAVAILABLE);
      if (m != HP_MARKET_RESTRICTED && m != HP_MARKET_UNAVAILABLE)
        continue;
      flagged++;
      int named = 0;
      for (size_t k = 0; k < r->n_warnings; k++)
        named |= strstr(r->warnings[k], sp->id) &&
                 strstr(r->warnings[k], hp_market_name(m));
      if (!named)
        print_error("scenario '%s' buys %s (%s) without a warning\n", r->name,
                    sp->id, hp_market_name(m));
      assert_true(named);
    }
  }
  return flagged;
}

static const char *market_plan =
    "name: t\n"
    "defaults:\n"
    "  workload: {model: {params: 130e9}, tokens_per_day: 4.0e12,\n"
    "             peak_factor: 4}\n"
    "scenarios:\n"
    "  - name: available\n"
    "    devices: available\n"
    "  - name: all\n"
    "    devices: all\n"
    "  - name: h20-only\n"
    "    devices: [nvidia-h20, nvidia-l20]\n"
    "  - name: available-domestic-mandate\n"
    "    devices: available\n"
    "    constraints: {domestic_share: {min: 0.5}}\n";

static void market_devices_available(void **state) {
  (void)state;
  hp_catalog *c = market_catalog();
  hp_planfile *pf = NULL;
  hp_plan *plan = solve_text(market_plan, c, &pf);
  /* available: every SKU but the three unavailable ones, in catalog order;
   * the restricted and the unknown are in. */
  const hp_scenario *av = hp_planfile_scenario(pf, 0);
  assert_true(av->devices_available);
  assert_int_equal(av->n_cands, hp_catalog_count(c) - 3);
  for (size_t k = 0; k < av->n_cands; k++)
    assert_int_not_equal(av->cands[k].spec.market_china, HP_MARKET_UNAVAILABLE);
  assert_int_equal(av->devices_line, 7);
  assert_int_equal(av->devices_col, 14);
  const hp_scenario *all = hp_planfile_scenario(pf, 1);
  assert_false(all->devices_available);
  assert_int_equal(all->n_cands, hp_catalog_count(c));
  /* Whatever is bought: no unavailable card under available, a warning
   * for each restricted or unavailable one under all or a list. */
  int flagged = check_market(plan, pf, c);
  /* The H20-only scenario must buy H20s (the L20 is pricier per token)
   * and must say so. */
  const hp_scenario_result *h = hp_plan_at(plan, 2);
  assert_true(flagged >= 1);
  assert_true(h->n_warnings >= 1);
  assert_non_null(strstr(h->warnings[0], "buys"));
  assert_non_null(strstr(h->warnings[0], "nvidia-h20 (H20 96GB SXM)"));
  assert_non_null(strstr(h->warnings[0], "unavailable in China"));
  /* Before the run (sweep, Monte Carlo): each card once, at its devices
   * key: the 3 unavailable and 1 restricted of `all`, the unknown L20 of
   * `available`. */
  hp_diag w[16];
  size_t n = hp_planfile_market_warnings(pf, w, 16);
  assert_int_equal(n, 5);
  int l20 = 0;
  for (size_t i = 0; i < n; i++) {
    assert_string_equal(w[i].file, "p.yaml");
    if (strstr(w[i].msg, "nvidia-l20")) {
      l20 = 1;
      assert_int_equal(w[i].line, 7); /* unknown: under available only */
      assert_non_null(strstr(w[i].msg, "unknown market status"));
    }
  }
  assert_true(l20);
  hp_plan_free(plan);
  hp_planfile_free(pf);
  hp_catalog_free(c);
}

/* The shipped catalog as it stands: whatever it says of each card, a
 * plan under `devices: available` never buys an unavailable card, and one
 * under `devices: all` never buys a restricted or unavailable card without
 * a warning. */
static void market_shipped_catalog(void **state) {
  (void)state;
  hp_planfile *pf = NULL;
  hp_plan *plan = solve_text(market_plan, cat, &pf);
  check_market(plan, pf, cat);
  hp_plan_free(plan);
  hp_planfile_free(pf);
  /* The shipped buyer's plan: `devices: available` throughout; whatever
   * its scenarios buy (the roofline's card and stack efficiencies decide
   * whether a restricted card tops one up), check_market holds. */
  hp_diag d;
  assert_int_equal(
      hp_planfile_load(HP_SOURCE_DIR "/plans/buyer-2026.yaml", cat, &pf, &d),
      HP_OK);
  assert_int_equal(hp_plan_solve(pf, cat, &plan, &d), HP_OK);
  for (size_t i = 0; i < hp_planfile_count(pf); i++)
    assert_true(hp_planfile_scenario(pf, i)->devices_available);
  assert_true(check_market(plan, pf, cat) >= 0);
  hp_plan_free(plan);
  hp_planfile_free(pf);
}

/* A plan's own price may carry its own date; a bad date, or a date with
 * no price, is refused at its position. */
static void market_price_as_of(void **state) {
  (void)state;
  char text[1024];
  snprintf(text, sizeof text,
           "%s  overrides: {nvidia-h20: {price_server_cny: 1.2e6, "
           "price_as_of: 2026-11-30}}\nscenarios:\n  - name: a\n",
           good_head);
  hp_planfile *pf = parse_ok(text);
  const hp_candidate *c = &hp_planfile_scenario(pf, 0)->cands[0];
  assert_string_equal(c->spec.price_as_of, "2026-11-30");
  assert_true(c->spec.fig[HP_FIG_price_server_cny] == 1.2e6);
  hp_planfile_free(pf);
  /* A price without a date does not inherit the catalog's date. */
  snprintf(text, sizeof text,
           "%s  overrides: {nvidia-h20: {price_server_cny: 1.2e6}}\n"
           "scenarios:\n  - name: a\n",
           good_head);
  pf = parse_ok(text);
  assert_null(hp_planfile_scenario(pf, 0)->cands[0].spec.price_as_of);
  hp_planfile_free(pf);
  static const char *const bad[] = {"2026-02-30",  "2026-13-01", "26-11-30",
                                    "2026-11-30x", "2025-02-29", "yesterday"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    snprintf(text, sizeof text,
             "%s  overrides: {nvidia-h20: {price_server_cny: 1.2e6, "
             "price_as_of: %s}}\nscenarios:\n  - name: a\n",
             good_head, bad[i]);
    expect_error(text, HP_ERANGE, 8, 66,
                 "overrides.nvidia-h20.price_as_of: expected a date "
                 "YYYY-MM-DD");
  }
  snprintf(text, sizeof text,
           "%s  overrides: {nvidia-h20: {price_as_of: 2026-11-30}}\n"
           "scenarios:\n  - name: a\n",
           good_head);
  expect_error(text, HP_EINVAL, 8, 41,
               "overrides.nvidia-h20.price_as_of: dates a price, but the "
               "override gives no price_server_cny");
  /* 2024 is a leap year. */
  snprintf(text, sizeof text,
           "%s  overrides: {nvidia-h20: {price_card_cny: 1.0e5, "
           "price_as_of: 2024-02-29}}\nscenarios:\n  - name: a\n",
           good_head);
  hp_planfile_free(parse_ok(text));
}

/* ----------------------------------------------------------------------------
 * Hugging Face configs (issue 20)
 * ------------------------------------------------------------------------- */

/* The model of a one-scenario plan whose workload.model is `model`. */
static hp_planfile *model_plan(const char *model) {
  char text[1024];
  snprintf(text, sizeof text,
           "name: t\nscenarios:\n  - name: a\n    devices: [nvidia-h20]\n"
           "    workload: {model: %s, tokens_per_day: 1e9}\n",
           model);
  hp_planfile *pf = NULL;
  hp_diag d;
  hp_diag_clear(&d);
  int rc = hp_planfile_parse(
      text, strlen(text), HP_SOURCE_DIR "/tests/data/hf/p.yaml", cat, &pf, &d);
  if (rc != HP_OK)
    print_error("%s:%d:%d: %s\n", d.file, d.line, d.column, d.msg);
  assert_int_equal(rc, HP_OK);
  return pf;
}

/* config.json files of three models, with their public values, against
 * the YAML model files: the same architecture and KV bytes per token,
 * exactly; parameter counts within 2% (the YAML files carry the model
 * cards' rounded totals, 70.55e9, 235e9, 671e9 and 37e9, and the count
 * from the shape leaves out norms, biases and DeepSeek's multi-token-
 * prediction layer), active parameters within 2% too. */
static void hf_config_matches_yaml(void **state) {
  (void)state;
  static const struct {
    const char *cfg, *yaml;
    double total, active; /* the count from the shape (docs/roofline.md's
                             formula, worked out apart from the code) */
  } cases[] = {
      {"llama-3-70b/config.json", "{name: llama-3-70b}", 70552.387584e6,
       70552.387584e6},
      {"qwen3-235b-a22b/config.json", "{name: qwen3-235b-a22b}",
       235092.836352e6, 22189.965312e6},
      {"deepseek-v3/config.json", "{name: deepseek-v3}", 671025.397760e6,
       37551.276032e6},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char m[256];
    snprintf(m, sizeof m, "{config: %s}", cases[i].cfg);
    hp_planfile *a = model_plan(m), *b = model_plan(cases[i].yaml);
    const hp_model_desc *x = &hp_planfile_scenario(a, 0)->model;
    const hp_model_desc *y = &hp_planfile_scenario(b, 0)->model;
    print_message("%s: params %.6e (yaml %.6e), active %.6e (yaml %.6e)\n",
                  cases[i].cfg, x->params, y->params, x->active_params,
                  y->active_params);
    assert_true(fabs(x->params - cases[i].total) < 1e6);
    assert_true(fabs(x->active_params - cases[i].active) < 1e6);
    assert_true(fabs(x->params / y->params - 1) < 0.02);
    assert_true(fabs(x->active_params / y->active_params - 1) < 0.02);
    assert_true(x->has_arch && y->has_arch);
    assert_true(x->layers == y->layers);
    assert_true(x->hidden_size == y->hidden_size);
    assert_true(x->heads == y->heads);
    assert_true(x->kv_heads == y->kv_heads);
    assert_true(x->head_dim == y->head_dim);
    assert_true(x->kv_lora_rank == y->kv_lora_rank);
    assert_true(x->qk_rope_head_dim == y->qk_rope_head_dim);
    assert_true(x->experts == y->experts);
    assert_true(x->experts_per_token == y->experts_per_token);
    assert_int_equal(x->weight_dtype, y->weight_dtype);
    assert_true(hp_roof_kv_bytes_per_token(x) == hp_roof_kv_bytes_per_token(y));
    assert_non_null(strstr(x->file, cases[i].cfg));
    hp_planfile_free(a);
    hp_planfile_free(b);
  }
  /* The other families, from their public config values: the same shape
   * and KV bytes per token as the model files; totals within 5% and active
   * parameters within 12% (the files carry the model cards' rounded
   * figures, "355B / 32B", "1T / 32B", "230B / 10B", and some cards count
   * active parameters without the embeddings: MiniMax-M2's 11.03e9 from
   * the shape is 9.80e9 without its 1.23e9 of embeddings; printed). */
  static const char *const more[] = {"glm-4.5", "kimi-k2", "minimax-m2",
                                     "seed-oss-36b", "qwen3-32b"};
  for (size_t i = 0; i < sizeof more / sizeof more[0]; i++) {
    char m[256], y[128];
    snprintf(m, sizeof m, "{config: %s/config.json}", more[i]);
    snprintf(y, sizeof y, "{name: %s}", more[i]);
    hp_planfile *a = model_plan(m), *b = model_plan(y);
    const hp_model_desc *x = &hp_planfile_scenario(a, 0)->model;
    const hp_model_desc *z = &hp_planfile_scenario(b, 0)->model;
    print_message("%s: params %.4e (yaml %.4e), active %.4e (yaml %.4e)\n",
                  more[i], x->params, z->params, x->active_params,
                  z->active_params);
    assert_true(fabs(x->params / z->params - 1) < 0.05);
    assert_true(fabs(x->active_params / z->active_params - 1) < 0.12);
    assert_true(x->layers == z->layers && x->heads == z->heads &&
                x->kv_heads == z->kv_heads && x->head_dim == z->head_dim);
    assert_true(x->experts == z->experts &&
                x->experts_per_token == z->experts_per_token &&
                x->moe_intermediate_size == z->moe_intermediate_size &&
                x->shared_experts == z->shared_experts &&
                x->dense_layers == z->dense_layers);
    assert_int_equal(x->weight_dtype, z->weight_dtype);
    assert_true(hp_roof_kv_bytes_per_token(x) == hp_roof_kv_bytes_per_token(z));
    hp_planfile_free(a);
    hp_planfile_free(b);
  }
  /* DeepSeek-V3.2: V3's shape plus DSA's top-k; inline keys override. */
  hp_planfile *pf =
      model_plan("{config: deepseek-v3.2/config.json, weight_dtype: fp4}");
  const hp_model_desc *v = &hp_planfile_scenario(pf, 0)->model;
  assert_true(v->sparse_attention_topk == 2048);
  assert_true(v->dense_layers == 3 && v->shared_experts == 1);
  assert_true(v->moe_intermediate_size == 2048);
  assert_int_equal(v->weight_dtype, HP_DTYPE_FP4);
  assert_string_equal(v->name, "deepseek-v3.2");
  hp_planfile_free(pf);
}

/* Writes a config.json into dir and expects loading it through a plan to
 * fail with rc at line:col, the message containing want and naming the
 * config file. */
static void hf_expect(const char *json, int rc, int line, int col,
                      const char *want) {
  char dir[] = "/tmp/hp_hf_XXXXXX", path[64], plan[64];
  assert_non_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/config.json", dir);
  snprintf(plan, sizeof plan, "%s/p.yaml", dir);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs(json, f);
  fclose(f);
  const char *text = "name: t\nscenarios:\n  - name: a\n    devices: "
                     "[nvidia-h20]\n    workload: {model: {config: "
                     "config.json}, tokens_per_day: 1e9}\n";
  hp_planfile *pf = NULL;
  hp_diag d;
  hp_diag_clear(&d);
  int got = hp_planfile_parse(text, strlen(text), plan, cat, &pf, &d);
  if (got != rc || !strstr(d.msg, want) || d.line != line || d.column != col)
    print_error("got %s at %d:%d '%s'; want %s at %d:%d '%s'\n",
                hp_status_name(got), d.line, d.column, d.msg,
                hp_status_name(rc), line, col, want);
  assert_int_equal(got, rc);
  assert_null(pf);
  assert_string_equal(d.file, path);
  assert_int_equal(d.line, line);
  assert_int_equal(d.column, col);
  assert_non_null(strstr(d.msg, want));
  unlink(path);
  rmdir(dir);
}

static void hf_config_errors(void **state) {
  (void)state;
  /* A missing key: named, at the top of the file. */
  hf_expect("{\n  \"model_type\": \"llama\",\n  \"num_hidden_layers\": 2,\n"
            "  \"num_attention_heads\": 4,\n  \"vocab_size\": 10,\n"
            "  \"intermediate_size\": 64\n}\n",
            HP_EMISSING, 1, 1,
            "config.json: required key 'hidden_size' is missing");
  /* A wrong type: named, at its key. */
  hf_expect("{\n  \"model_type\": \"llama\",\n  \"num_hidden_layers\": 2,\n"
            "  \"hidden_size\": \"4096\",\n  \"num_attention_heads\": 4,\n"
            "  \"vocab_size\": 10,\n  \"intermediate_size\": 64\n}\n",
            HP_ETYPE, 4, 3,
            "hidden_size: expected a whole number, got a string");
  hf_expect("{\"model_type\": \"llama\", \"num_hidden_layers\": 2.5}", HP_ETYPE,
            1, 25,
            "num_hidden_layers: expected a whole number, got a real number");
  hf_expect("{\"model_type\": \"llama\", \"num_hidden_layers\": 2, "
            "\"hidden_size\": 64, \"num_attention_heads\": 4, \"vocab_size\": "
            "10, \"intermediate_size\": 64, \"tie_word_embeddings\": 1}",
            HP_ETYPE, 1, 137,
            "tie_word_embeddings: expected true or false, got an integer");
  /* An unknown model_type: named, with the ones that are read. */
  hf_expect("{\n  \"architectures\": [\"GptOssForCausalLM\"],\n"
            "  \"model_type\": \"gpt_oss\"\n}\n",
            HP_ERANGE, 3, 3,
            "model_type: 'gpt_oss' is not a family hetplan reads (llama, "
            "mistral, qwen2, qwen3, qwen3_moe, deepseek_v3, deepseek_v32, "
            "kimi_k2, glm4_moe, minimax_m2, seed_oss)");
  hf_expect("[1, 2]", HP_ETYPE, 1, 1, "expected an object");
  hf_expect("{\"model_type\": \"llama\",\n  \"x\": }", HP_EPARSE, 2, 8,
            "config.json: not valid JSON");
  hf_expect("{\"model_type\": \"qwen3_moe\", \"num_hidden_layers\": 2, "
            "\"hidden_size\": 64, \"num_attention_heads\": 4, \"vocab_size\": "
            "10, \"intermediate_size\": 64, \"num_experts\": 4, "
            "\"num_experts_per_tok\": 8, \"moe_intermediate_size\": 32}",
            HP_ERANGE, 1, 159,
            "num_experts_per_tok: expected at most num_experts (4), got 8");
}

/* A config that is not a regular file, or not there, is refused. */
static void hf_config_not_regular(void **state) {
  (void)state;
  char dir[] = "/tmp/hp_hf_XXXXXX", sub[64];
  assert_non_null(mkdtemp(dir));
  snprintf(sub, sizeof sub, "%s/config.json", dir);
  assert_int_equal(mkdir(sub, 0700), 0);
  char text[512], plan[64];
  snprintf(plan, sizeof plan, "%s/p.yaml", dir);
  snprintf(text, sizeof text,
           "name: t\nscenarios:\n  - name: a\n    devices: [nvidia-h20]\n"
           "    workload: {model: {config: %s}, tokens_per_day: 1e9}\n",
           "config.json");
  hp_planfile *pf = NULL;
  hp_diag d;
  hp_diag_clear(&d);
  assert_int_equal(hp_planfile_parse(text, strlen(text), plan, cat, &pf, &d),
                   HP_EINVAL);
  assert_string_equal(d.file, sub);
  assert_non_null(strstr(d.msg, "not a regular file"));
  rmdir(sub);
  snprintf(text, sizeof text,
           "name: t\nscenarios:\n  - name: a\n    devices: [nvidia-h20]\n"
           "    workload: {model: {config: %s}, tokens_per_day: 1e9}\n",
           "nowhere.json");
  assert_int_equal(hp_planfile_parse(text, strlen(text), plan, cat, &pf, &d),
                   HP_ENOTFOUND);
  assert_string_equal(d.file, plan);
  assert_int_equal(d.line, 5);
  assert_int_equal(d.column, 32);
  assert_non_null(strstr(d.msg, "workload.model.config: cannot open"));
  rmdir(dir);
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

/* solver.engine: unset unless a plan names one (the planner then picks,
 * hp_planner_engine); a named one is kept with engine_given. */
static void scenario_solver_engine(void **state) {
  (void)state;
  char text[1024];
  snprintf(text, sizeof text,
           "%sscenarios:\n  - name: a\n  - name: b\n"
           "    solver: {engine: glpk}\n  - name: c\n"
           "    solver: {engine: auto}\n",
           good_head);
  hp_planfile *pf = parse_ok(text);
  assert_false(hp_planfile_scenario(pf, 0)->engine_given);
  assert_true(hp_planfile_scenario(pf, 1)->engine_given);
  assert_int_equal(hp_planfile_scenario(pf, 1)->engine, HP_IP_GLPK);
  assert_true(hp_planfile_scenario(pf, 2)->engine_given);
  assert_int_equal(hp_planfile_scenario(pf, 2)->engine, HP_IP_AUTO);
  hp_planfile_free(pf);
  snprintf(text, sizeof text,
           "%sscenarios:\n  - name: a\n    solver: {engine: highs}\n",
           good_head);
  expect_error(text, HP_ERANGE, 10, 22,
               "solver.engine: expected one of glpk, cbc, auto, got 'highs'");
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
  expect_error(
      "name: t\nscenarios:\n  - name: a\n    devices: nvidia-h20\n"
      "    workload: {model: {params: 1e9}, tokens_per_day: 1e9}\n",
      HP_ETYPE, 4, 14,
      "devices: expected a sequence of device ids, 'all' or 'available'");
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
      cmocka_unit_test(market_devices_available),
      cmocka_unit_test(market_shipped_catalog),
      cmocka_unit_test(market_price_as_of),
      cmocka_unit_test(hf_config_matches_yaml),
      cmocka_unit_test(hf_config_errors),
      cmocka_unit_test(hf_config_not_regular),
      cmocka_unit_test(scenario_set_number_by_path),
      cmocka_unit_test(scenario_solver_mip_gap),
      cmocka_unit_test(scenario_solver_engine),
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
