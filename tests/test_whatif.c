/* test_whatif.c - sweeps, Monte Carlo, TCO and batch rendering (issue 6).
 *
 *  - grid axes: point counts, START + i x STEP without drift, bad specs;
 *  - sweeps over key paths, a bad path named in the error;
 *  - the lean row solve against hp_planner_solve on the shipped plans;
 *  - Monte Carlo: the same table with 1 and 2 threads, percentiles of a
 *    closed-form case and of small samples by hand, infeasible samples
 *    counted, distribution moments, uncertain: errors with file:line:col;
 *  - TCO arithmetic by hand;
 *  - the batch summary going on past a plan that failed to load.
 * Fixture catalog (tests/data/catalog): one alpha-a server = 8 cards x 25
 * TFLOPS x MFU 0.5 / (2 x 5e11 params) = 100 tokens/s for 1,000,000 CNY.
 */
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
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "hetplan.h"
#include "yamlx.h"
#include "planner.h"
#include "scenario.h"
#include "whatif.h"

#include "test_catalogs.h"

static int near(double a, double b, double tol) { return fabs(a - b) <= tol; }

/* 1000 tokens/s at peak over an 86,400 s day: 10 alpha-a servers. */
#define HEAD0                                                                  \
  "name: t\n"                                                                  \
  "defaults:\n"                                                                \
  "  workload: {model: {params: 5e11}, tokens_per_day: 8.64e7}\n"              \
  "  mfu: 0.5\n"
#define HEAD HEAD0 "  devices: [alpha-a]\n"

/* ----------------------------------------------------------------------------
 * Grid axes
 * ------------------------------------------------------------------------- */

static void axis_grid_points(void **state) {
  (void)state;
  hp_wi_axis a;
  hp_diag d;
  assert_int_equal(hp_wi_axis_parse("k=0:1:0.1", &a, &d), HP_OK);
  assert_string_equal(a.key, "k");
  assert_int_equal(a.n, 11); /* 1 is reached although 10 x 0.1 != 1 */
  assert_true(hp_wi_axis_value(&a, 3) == 0.3); /* not 0.30000000000000004 */
  assert_true(hp_wi_axis_value(&a, 7) == 0.7);
  assert_true(hp_wi_axis_value(&a, 10) == 1.0);
  hp_wi_axis_cleanup(&a);
  /* 0:1:0.0001 has 10,001 points and no drift at the far end. */
  assert_int_equal(
      hp_wi_axis_parse("constraints.domestic_share.min=0:1:0.0001", &a, &d),
      HP_OK);
  assert_int_equal(a.n, 10001);
  assert_true(hp_wi_axis_value(&a, 9999) == 0.9999);
  assert_true(hp_wi_axis_value(&a, 10000) == 1.0);
  hp_wi_axis_cleanup(&a);
  /* STOP not on the grid: the last point stays below it. */
  assert_int_equal(hp_wi_axis_parse("k=0:1:0.3", &a, &d), HP_OK);
  assert_int_equal(a.n, 4);
  assert_true(hp_wi_axis_value(&a, 3) == 0.9);
  hp_wi_axis_cleanup(&a);
  /* Downwards, and a single value. */
  assert_int_equal(hp_wi_axis_parse("k=1:0:-0.25", &a, &d), HP_OK);
  assert_int_equal(a.n, 5);
  assert_true(hp_wi_axis_value(&a, 4) == 0.0);
  hp_wi_axis_cleanup(&a);
  assert_int_equal(hp_wi_axis_parse("workload.tokens_per_day=4e12", &a, &d),
                   HP_OK);
  assert_int_equal(a.n, 1);
  assert_true(hp_wi_axis_value(&a, 0) == 4e12);
  hp_wi_axis_cleanup(&a);
  /* Errors. */
  assert_int_equal(hp_wi_axis_parse("k=0:1:0", &a, &d), HP_EINVAL);
  assert_non_null(strstr(d.msg, "STEP must not be 0"));
  assert_int_equal(hp_wi_axis_parse("k=0:1:-0.1", &a, &d), HP_EINVAL);
  assert_int_equal(hp_wi_axis_parse("=0:1:0.1", &a, &d), HP_EINVAL);
  assert_int_equal(hp_wi_axis_parse("k=0:x:0.1", &a, &d), HP_EINVAL);
  assert_int_equal(hp_wi_axis_parse("k=0:1", &a, &d), HP_EINVAL);
  assert_int_equal(hp_wi_axis_parse("k=0:1:1:1", &a, &d), HP_EINVAL);
  assert_int_equal(hp_wi_axis_parse("k=0:1e9:1", &a, &d), HP_ELIMIT);
  assert_non_null(strstr(d.msg, "1000000"));
}

/* ----------------------------------------------------------------------------
 * Sweeps
 * ------------------------------------------------------------------------- */

static hp_wi_table *sweep(const char *text, const hp_catalog *cat,
                          const char *spec, unsigned threads) {
  hp_wi_axis a;
  hp_diag d;
  hp_wi_table *t = NULL;
  assert_int_equal(hp_wi_axis_parse(spec, &a, &d), HP_OK);
  hp_wi_opts o = {threads, NULL, NULL, NULL, 0};
  int rc = hp_wi_sweep(text, strlen(text), "t.yaml", cat, &a, 1, &o, &t, &d);
  if (rc != HP_OK)
    print_error("%s:%d:%d: %s\n", d.file, d.line, d.column, d.msg);
  assert_int_equal(rc, HP_OK);
  hp_wi_axis_cleanup(&a);
  return t;
}

static void sweep_key_paths(void **state) {
  (void)state;
  const char *plan = HEAD "  granularity: fractional\n"
                          "scenarios:\n  - name: s\n";
  /* Demand: capex is linear, 1e7 CNY per 8.64e7 tokens/day. */
  hp_wi_table *t = sweep(plan, fix_cat,
                         "workload.tokens_per_day=8.64e7:"
                         "1.728e8:8.64e6",
                         2);
  assert_int_equal(t->n_points, 11);
  assert_int_equal(t->n_rows, 11);
  for (size_t i = 0; i < 11; i++) {
    assert_int_equal(t->rows[i].status, HP_RESULT_OPTIMAL);
    assert_true(near(t->values[i], 8.64e7 + (double)i * 8.64e6, 1e-3));
    assert_true(near(t->rows[i].capex_cny, 1e7 * (1 + 0.1 * (double)i), 1e-3));
  }
  hp_wi_table_free(t);
  /* A price override. */
  t = sweep(plan, fix_cat, "overrides.alpha-a.price_server_cny=1e6:2e6:5e5", 1);
  assert_int_equal(t->n_points, 3);
  assert_true(near(t->rows[2].capex_cny, 2e7, 1e-3));
  hp_wi_table_free(t);
  /* A supply cap, on two cards: beta-b takes what alpha-a cannot. */
  t = sweep(HEAD0 "  devices: [alpha-a, beta-b]\n"
                  "scenarios:\n  - name: s\n",
            fix_cat, "constraints.caps.alpha-a=80:0:-40", 2);
  assert_int_equal(t->n_points, 3);
  assert_true(near(t->rows[0].capex_cny, 1e7, 1e-3));   /* 10 alpha-a */
  assert_true(near(t->rows[1].capex_cny, 1.5e7, 1e-3)); /* 5 + 5 */
  assert_true(near(t->rows[2].capex_cny, 2e7, 1e-3));   /* 10 beta-b */
  /* Vendor columns: Alpha then Beta cards at the middle point. */
  size_t alpha = 0, beta = 0;
  for (size_t k = 0; k < t->n_vendors; k++) {
    if (!strcmp(t->vendors[k], "Alpha"))
      alpha = k;
    if (!strcmp(t->vendors[k], "Beta"))
      beta = k;
  }
  assert_true(near(t->vendor_cards[1 * t->n_vendors + alpha], 40, 1e-9));
  assert_true(near(t->vendor_cards[1 * t->n_vendors + beta], 40, 1e-9));
  assert_true(near(t->rows[1].share_compute, 0.5, 1e-12));
  hp_wi_table_free(t);
  /* The domestic mandate on the fixture pair: 1e7 + 1e7 x share (beta-b is
   * domestic and costs twice alpha-a per token/s). */
  t = sweep(HEAD0 "  devices: [alpha-a, beta-b]\n"
                  "scenarios:\n  - name: s\n",
            fix_cat, "constraints.domestic_share.min=0:1:0.1", 2);
  assert_int_equal(t->n_points, 11);
  for (size_t i = 0; i < 11; i++)
    assert_true(near(t->rows[i].capex_cny, 1e7 + 1e6 * (double)i, 1e-3));
  hp_wi_table_free(t);
}

static void sweep_bad_path_named(void **state) {
  (void)state;
  const char *plan = HEAD "scenarios:\n  - name: s\n";
  hp_wi_axis a;
  hp_diag d;
  hp_wi_table *t = NULL;
  assert_int_equal(
      hp_wi_axis_parse("constraints.domestic_sahre.min=0:1:0.5", &a, &d),
      HP_OK);
  int rc =
      hp_wi_sweep(plan, strlen(plan), "t.yaml", fix_cat, &a, 1, NULL, &t, &d);
  assert_int_equal(rc, HP_EKEY);
  assert_null(t);
  assert_non_null(strstr(d.msg, "constraints.domestic_sahre.min"));
  hp_wi_axis_cleanup(&a);
  /* A value the key rejects (a share above 1) at the first point. */
  assert_int_equal(
      hp_wi_axis_parse("constraints.domestic_share.min=2:3:1", &a, &d), HP_OK);
  rc = hp_wi_sweep(plan, strlen(plan), "t.yaml", fix_cat, &a, 1, NULL, &t, &d);
  assert_int_not_equal(rc, HP_OK);
  assert_non_null(strstr(d.msg, "constraints.domestic_share.min"));
  hp_wi_axis_cleanup(&a);
  /* Only some values rejected, the first among them: those points are
   * error rows, the others are solved. */
  assert_int_equal(
      hp_wi_axis_parse("constraints.domestic_share.min=1.5:0.5:-0.5", &a, &d),
      HP_OK);
  rc = hp_wi_sweep(plan, strlen(plan), "t.yaml", fix_cat, &a, 1, NULL, &t, &d);
  assert_int_equal(rc, HP_OK);
  assert_int_equal(t->n_rows, 3);
  assert_int_equal(t->n_error, 1);
  assert_int_equal(t->rows[0].status, HP_RESULT_ERROR);
  assert_int_not_equal(t->rows[1].status, HP_RESULT_ERROR);
  assert_int_not_equal(t->rows[2].status, HP_RESULT_ERROR);
  /* Each error row says why, in CSV (a last column) and JSON. */
  assert_non_null(t->rows[0].error_msg);
  assert_non_null(
      strstr(t->rows[0].error_msg, "setting 'constraints.domestic_share.min'"));
  assert_null(t->rows[1].error_msg);
  hp_buf eb;
  hp_buf_init(&eb);
  assert_int_equal(hp_report_whatif(t, HP_FORMAT_CSV, &eb), HP_OK);
  assert_non_null(strstr(eb.data, ",error\n"));
  assert_non_null(strstr(eb.data, "1.5,s,error,"));
  assert_non_null(strstr(eb.data, "got 1.5\"\n"));
  hp_buf_cleanup(&eb);
  hp_buf_init(&eb);
  assert_int_equal(hp_report_whatif(t, HP_FORMAT_JSON, &eb), HP_OK);
  assert_non_null(strstr(eb.data, "\"status\": \"error\", \"error\": \"t.yaml: "
                                  "setting 'constraints.domestic_share.min'"));
  hp_buf_cleanup(&eb);
  hp_wi_table_free(t);
  t = NULL;
  hp_wi_axis_cleanup(&a);
  /* Keys a sweep cannot vary: text, a card the scenario does not buy, the
   * same key twice. */
  static const struct {
    const char *spec[2];
    int n, rc;
    const char *words;
  } refused[] = {
      {{"description=1"}, 1, HP_ETYPE, "'description' is not a numeric"},
      {{"name=1"}, 1, HP_ETYPE, "'name' is not a numeric"},
      {{"overrides.beta-b.price_server_cny=1e6"},
       1,
       HP_EINVAL,
       "card 'beta-b' is not among the devices"},
      {{"constraints.caps.beta-b=10"},
       1,
       HP_EINVAL,
       "card 'beta-b' is not among the devices"},
      {{"mfu=0.1:0.2:0.1", "mfu=0.3"}, 2, HP_EDUP, "--vary mfu is given twice"},
  };
  for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
    hp_wi_axis ax[2];
    for (int k = 0; k < refused[i].n; k++)
      assert_int_equal(hp_wi_axis_parse(refused[i].spec[k], &ax[k], &d), HP_OK);
    hp_diag_clear(&d);
    rc = hp_wi_sweep(plan, strlen(plan), "t.yaml", fix_cat, ax,
                     (size_t)refused[i].n, NULL, &t, &d);
    if (rc != refused[i].rc || !strstr(d.msg, refused[i].words))
      print_error("%s: got %d: %s\n", refused[i].spec[0], rc, d.msg);
    assert_int_equal(rc, refused[i].rc);
    assert_non_null(strstr(d.msg, refused[i].words));
    assert_null(t);
    for (int k = 0; k < refused[i].n; k++)
      hp_wi_axis_cleanup(&ax[k]);
  }
  /* Keys that depend on each other (min <= max) are checked one by one
   * against the plan as written: the grid runs whatever the axes'
   * direction, the points with min > max being error rows. */
  for (int dir = 0; dir < 2; dir++) {
    hp_wi_axis ax[2];
    assert_int_equal(hp_wi_axis_parse(dir ? "constraints.domestic_share.min="
                                            "0.6:0:-0.1"
                                          : "constraints.domestic_share.min="
                                            "0:0.6:0.1",
                                      &ax[0], &d),
                     HP_OK);
    assert_int_equal(
        hp_wi_axis_parse("constraints.domestic_share.max=0.1:0.5:0.1", &ax[1],
                         &d),
        HP_OK);
    rc =
        hp_wi_sweep(plan, strlen(plan), "t.yaml", fix_cat, ax, 2, NULL, &t, &d);
    assert_int_equal(rc, HP_OK);
    assert_int_equal(t->n_rows, 35);
    assert_int_equal(t->n_error, 15); /* min > max at 15 of the 35 points */
    hp_wi_table_free(t);
    t = NULL;
    hp_wi_axis_cleanup(&ax[0]);
    hp_wi_axis_cleanup(&ax[1]);
  }
  /* An unknown scenario. */
  assert_int_equal(hp_wi_axis_parse("mfu=0.5", &a, &d), HP_OK);
  hp_wi_opts o = {1, "nope", NULL, NULL, 0};
  rc = hp_wi_sweep(plan, strlen(plan), "t.yaml", fix_cat, &a, 1, &o, &t, &d);
  assert_int_equal(rc, HP_ENOTFOUND);
  assert_non_null(strstr(d.msg, "nope"));
  hp_wi_axis_cleanup(&a);
}

static void sweep_points_limit(void **state) {
  (void)state;
  const char *plan = HEAD "scenarios:\n  - name: s\n";
  hp_wi_axis a[2];
  hp_diag d;
  hp_wi_table *t = NULL;
  assert_int_equal(hp_wi_axis_parse("mfu=0.1:1:0.0001", &a[0], &d), HP_OK);
  assert_int_equal(hp_wi_axis_parse("pue=1:2:0.001", &a[1], &d), HP_OK);
  assert_int_equal(
      hp_wi_sweep(plan, strlen(plan), "t.yaml", fix_cat, a, 2, NULL, &t, &d),
      HP_ELIMIT);
  assert_non_null(strstr(d.msg, "HP_WI_MAX_POINTS"));
  hp_wi_axis_cleanup(&a[0]);
  hp_wi_axis_cleanup(&a[1]);
}

/* ----------------------------------------------------------------------------
 * The lean row solve against the planner's own result
 * ------------------------------------------------------------------------- */

static void lean_solve_matches_planner(void **state) {
  (void)state;
  const char *files[] = {HP_SOURCE_DIR "/plans/doubao-mix-2024.yaml",
                         HP_SOURCE_DIR "/plans/doubao-minsheng-2024.yaml",
                         HP_SOURCE_DIR "/plans/dongwu-80bn-budget.yaml"};
  for (size_t f = 0; f < 3; f++) {
    hp_planfile *pf = NULL;
    hp_diag d;
    assert_int_equal(hp_planfile_load(files[f], real_cat, &pf, &d), HP_OK);
    for (size_t i = 0; i < hp_planfile_count(pf); i++) {
      const hp_scenario *s = hp_planfile_scenario(pf, i);
      hp_scenario_result r;
      assert_int_equal(hp_planner_solve(s, real_cat, &r, &d), HP_OK);
      const char *vendors[64];
      double vc[64];
      size_t nv = r.n_vendors;
      for (size_t v = 0; v < nv; v++)
        vendors[v] = r.vendors[v].vendor;
      hp_wi_row row;
      memset(&row, 0, sizeof row);
      assert_int_equal(
          hp_wi_solve_row(s, vendors, nv, &row, vc, NULL, NULL, &d), HP_OK);
      assert_int_equal(row.status, r.status);
      if (r.status == HP_RESULT_OPTIMAL) {
        double tol = 1e-9 * fmax(1, r.capex_cny);
        assert_true(near(row.capex_cny, r.capex_cny, tol));
        assert_true(near(row.cards, r.cards, 1e-6));
        assert_true(near(row.servers, r.servers, 1e-6));
        assert_true(near(row.opex_cny_per_year, r.opex_cny_per_year,
                         1e-9 * fmax(1, r.opex_cny_per_year)));
        assert_true(near(row.tco_cny, r.tco_cny, 1e-9 * fmax(1, r.tco_cny)));
        assert_true(near(row.cost_per_mtok_cny, r.cost_per_mtok_cny, 1e-9));
        assert_true(near(row.share_compute, r.domestic_share_compute, 1e-12));
        assert_true(near(row.share_cards, r.domestic_share_cards, 1e-12));
        assert_true(near(row.share_capex, r.domestic_share_capex, 1e-12));
        for (size_t v = 0; v < nv; v++)
          assert_true(near(vc[v], r.vendors[v].cards, 1e-6));
      }
      hp_planner_result_cleanup(&r);
    }
    hp_planfile_free(pf);
  }
  /* Infeasible on the fixture catalog: the status agrees. */
  const char *text = HEAD "scenarios:\n  - name: s\n"
                          "    constraints: {caps: {alpha-a: 8}}\n";
  hp_planfile *pf = NULL;
  hp_diag d;
  assert_int_equal(
      hp_planfile_parse(text, strlen(text), "t.yaml", fix_cat, &pf, &d), HP_OK);
  hp_wi_row row;
  memset(&row, 0, sizeof row);
  assert_int_equal(hp_wi_solve_row(hp_planfile_scenario(pf, 0), NULL, 0, &row,
                                   NULL, NULL, NULL, &d),
                   HP_OK);
  assert_int_equal(row.status, HP_RESULT_INFEASIBLE);
  hp_planfile_free(pf);
}

/* A sweep starts each point from the previous optimum (walking a
 * tightening sweep backwards): every row must equal a fresh solve of that
 * point, and the table must not depend on the thread count. */
/* Sweeps `spec` with 1 and 2 threads and checks every row against a fresh
 * solve of its point; returns how many optimal rows differ in capex from
 * the row before (the sweep is not trivially one answer). */
static int same_as_fresh(const char *text, size_t len, const char *path,
                         const char *key, const char *spec, int min_optimal) {
  hp_diag d;
  hp_wi_table *t1 = sweep(text, real_cat, spec, 1);
  hp_wi_table *t2 = sweep(text, real_cat, spec, 2);
  hp_planfile *pf = NULL;
  assert_int_equal(hp_planfile_parse(text, len, path, real_cat, &pf, &d),
                   HP_OK);
  size_t ns = t1->n_scenarios;
  int optimal = 0, distinct = 0;
  double last = -1;
  for (size_t p = 0; p < t1->n_points; p++) {
    assert_int_equal(hp_planfile_set_number(pf, key, t1->values[p], &d), HP_OK);
    for (size_t si = 0; si < ns; si++) {
      const hp_wi_row *a = &t1->rows[p * ns + si];
      const hp_wi_row *b = &t2->rows[p * ns + si];
      hp_wi_row fresh;
      memset(&fresh, 0, sizeof fresh);
      assert_int_equal(hp_wi_solve_row(hp_planfile_scenario(pf, si), NULL, 0,
                                       &fresh, NULL, NULL, NULL, &d),
                       HP_OK);
      assert_int_equal(a->status, fresh.status);
      assert_int_equal(b->status, fresh.status);
      if (fresh.status != HP_RESULT_OPTIMAL)
        continue;
      optimal++;
      assert_true(near(a->capex_cny, fresh.capex_cny, 1e-9 * fresh.capex_cny));
      assert_true(a->capex_cny == b->capex_cny && a->cards == b->cards &&
                  a->share_compute == b->share_compute);
      distinct += a->capex_cny != last;
      last = a->capex_cny;
    }
  }
  assert_true(optimal > min_optimal);
  hp_planfile_free(pf);
  hp_wi_table_free(t1);
  hp_wi_table_free(t2);
  return distinct;
}

static void sweep_warm_reuse_is_exact(void **state) {
  (void)state;
  assert_true(hp_wi_tightening("constraints.domestic_share.min", 0.1));
  assert_false(hp_wi_tightening("constraints.domestic_share.min", -0.1));
  assert_true(hp_wi_tightening("constraints.caps.nvidia-h20", -1000));
  assert_true(hp_wi_tightening("constraints.caps.vendor.Huawei", -1000));
  assert_false(hp_wi_tightening("constraints.caps.nvidia-h20", 1000));
  assert_true(hp_wi_tightening("workload.tokens_per_day", 1e11));
  assert_false(hp_wi_tightening("overrides.nvidia-h20.price_server_cny", 1));
  assert_false(hp_wi_tightening("mfu", -0.1));

  char *text = NULL;
  size_t len;
  hp_diag d;
  const char *path = HP_SOURCE_DIR "/plans/doubao-mandate-sweep.yaml";
  assert_int_equal(hp_yaml_read_file(path, 1 << 20, &text, &len, &d), HP_OK);
  int distinct =
      same_as_fresh(text, len, path, "constraints.domestic_share.min",
                    "constraints.domestic_share.min=0:1:0.02", 20);
  assert_true(distinct > 10);
  hp_free(text);
  /* A per-SKU cap that binds: each point is searched only beyond the
   * previous point's cap (hp_ip_presolve_exclusion_cut). */
  static const char cap_plan[] =
      "name: h20-cap\n"
      "defaults:\n"
      "  workload: {model: {name: m, params: 130e9}, tokens_per_day: 6.0e12,\n"
      "             seconds_per_day: 129600, peak_factor: 4}\n"
      "  mfu: 0.5\n"
      "  devices: [nvidia-h20, nvidia-l20, huawei-ascend-910b3, "
      "hygon-k100-ai, cambricon-mlu370-x8]\n"
      "  constraints:\n"
      "    domestic_share: {min: 0.1, basis: compute}\n"
      "    caps: {nvidia-h20: 1000, vendor.Huawei: 30000, "
      "vendor.Hygon: 10000, vendor.Cambricon: 10000}\n"
      "scenarios:\n"
      "  - name: s\n";
  distinct = same_as_fresh(cap_plan, sizeof cap_plan - 1, "cap.yaml",
                           "constraints.caps.nvidia-h20",
                           "constraints.caps.nvidia-h20=40800:40000:-8", 40);
  assert_true(distinct > 40);
}

/* solver.mip_gap lets the search stop short of a proof: every row is then
 * no cheaper than the proven optimum and at most the gap above it, a row
 * not flagged within_gap is the optimum, and capex still never falls as
 * the mandate rises. */
static void sweep_mip_gap_bounded(void **state) {
  (void)state;
  static const char plan[] =
      "name: gap\n"
      "defaults:\n"
      "  workload: {model: {name: m, params: 130e9}, tokens_per_day: 4.0e12,\n"
      "             seconds_per_day: 129600, peak_factor: 4}\n"
      "  mfu: 0.5\n"
      "  granularity: server\n"
      "  devices: all\n"
      "  solver: {mip_gap: 1.0e-4}\n"
      "  constraints:\n"
      "    domestic_share: {min: 0.3, basis: compute}\n"
      "    caps: {nvidia-h20: 230000, vendor.Huawei: 30000, "
      "vendor.Hygon: 10000, vendor.Cambricon: 10000}\n"
      "scenarios:\n"
      "  - name: s\n";
  const double gap = 1.0e-4;
  hp_wi_table *t =
      sweep(plan, real_cat, "constraints.domestic_share.min=0:0.8:0.01", 2);
  hp_planfile *pf = NULL;
  hp_diag d;
  assert_int_equal(
      hp_planfile_parse(plan, sizeof plan - 1, "gap.yaml", real_cat, &pf, &d),
      HP_OK);
  assert_int_equal(hp_planfile_set_number(pf, "solver.mip_gap", 0, &d), HP_OK);
  size_t flagged = 0, above = 0;
  double last = 0;
  for (size_t p = 0; p < t->n_points; p++) {
    const hp_wi_row *r = &t->rows[p];
    assert_int_equal(hp_planfile_set_number(pf,
                                            "constraints.domestic_share.min",
                                            t->values[p], &d),
                     HP_OK);
    hp_wi_row exact;
    memset(&exact, 0, sizeof exact);
    assert_int_equal(hp_wi_solve_row(hp_planfile_scenario(pf, 0), NULL, 0,
                                     &exact, NULL, NULL, NULL, &d),
                     HP_OK);
    assert_int_equal(exact.status, HP_RESULT_OPTIMAL);
    assert_int_equal(r->status, HP_RESULT_OPTIMAL);
    assert_int_equal(exact.within_gap, 0);
    double e = exact.capex_cny, g = r->capex_cny;
    assert_true(g >= e - 1e-9 * e);
    assert_true(g - e <= gap * g + 1e-9 * e);
    if (!r->within_gap)
      assert_true(near(g, e, 1e-9 * e));
    flagged += r->within_gap;
    above += g > e + 1e-9 * e;
    assert_true(g >= last);
    last = g;
  }
  /* The gap took effect: some searches stopped early, and some of those
   * short of the optimum. */
  assert_int_equal(flagged, t->n_within_gap);
  assert_true(flagged > 0);
  assert_true(above > 0);
  hp_planfile_free(pf);
  hp_wi_table_free(t);
}

/* ----------------------------------------------------------------------------
 * TCO by hand
 * ------------------------------------------------------------------------- */

static void tco_arithmetic_by_hand(void **state) {
  (void)state;
  /* 10 alpha-a servers = 80 cards x 800 W = 64 kW of TDP. */
  struct {
    const char *keys;
    double opex_year, tco, cost_mtok, price;
  } cases[] = {
      /* Defaults: PUE 1.3, utilisation 1, 0.4 CNY/kWh, 5 years.
       * opex = 64 kW x 1.3 x 1.0 x 8760 h x 0.4 = 291,532.8 CNY/year;
       * TCO = 1e7 + 5 x 291,532.8 = 11,457,664 CNY;
       * tokens = 8.64e7/day x 365 x 5 = 1.5768e11;
       * cost = 11,457,664 / 1.5768e11 x 1e6 = 72.6640... CNY/Mtok. */
      {"", 291532.8, 11457664.0, 11457664.0 / 157680.0, 0},
      /* PUE 1.2, utilisation 0.6, 0.5 CNY/kWh, 3 years, a 30 CNY/Mtok
       * price: opex = 64 x 1.2 x 0.6 x 8760 x 0.5 = 201,830.4 CNY/year;
       * TCO = 1e7 + 3 x 201,830.4 = 10,605,491.2 CNY;
       * tokens = 8.64e7 x 365 x 3 = 9.4608e10; cost = 112.0993... */
      {"  pue: 1.2\n  utilisation: 0.6\n  power_price_cny_per_kwh: 0.5\n"
       "  years: 3\n  token_price_cny_per_mtok: 30\n",
       201830.4, 10605491.2, 10605491.2 / 94608.0, 30},
  };
  for (size_t k = 0; k < 2; k++) {
    char text[1024];
    snprintf(text, sizeof text, "%s%sscenarios:\n  - name: s\n", HEAD,
             cases[k].keys);
    hp_planfile *pf = NULL;
    hp_diag d;
    assert_int_equal(
        hp_planfile_parse(text, strlen(text), "t.yaml", fix_cat, &pf, &d),
        HP_OK);
    const hp_scenario *s = hp_planfile_scenario(pf, 0);
    hp_scenario_result r;
    assert_int_equal(hp_planner_solve(s, fix_cat, &r, &d), HP_OK);
    hp_wi_row row;
    memset(&row, 0, sizeof row);
    assert_int_equal(hp_wi_solve_row(s, NULL, 0, &row, NULL, NULL, NULL, &d),
                     HP_OK);
    assert_true(near(r.capex_cny, 1e7, 1e-6));
    assert_true(near(r.opex_cny_per_year, cases[k].opex_year, 1e-6));
    assert_true(near(r.tco_cny, cases[k].tco, 1e-6));
    assert_true(near(r.cost_per_mtok_cny, cases[k].cost_mtok, 1e-9));
    assert_true(near(r.token_price_per_mtok_cny, cases[k].price, 0));
    assert_true(near(row.opex_cny_per_year, cases[k].opex_year, 1e-6));
    assert_true(near(row.tco_cny, cases[k].tco, 1e-6));
    assert_true(near(row.cost_per_mtok_cny, cases[k].cost_mtok, 1e-9));
    assert_true(near(row.token_price_per_mtok_cny, cases[k].price, 0));
    /* Cost as a share of the price: 112.0993 / 30 = 373.66%, a figure of
     * the planner's result that the row copies; 0 without a price. */
    double pct =
        cases[k].price > 0 ? 100 * cases[k].cost_mtok / cases[k].price : 0;
    assert_true(near(r.cost_over_price_pct, pct, 1e-9));
    assert_true(near(row.cost_over_price_pct, pct, 1e-9));
    hp_planner_result_cleanup(&r);
    hp_planfile_free(pf);
  }
}

/* objective max_tokens: the workload is no constraint, and the cost per
 * million tokens is over the tokens the bought capacity sustains. */
static void max_tokens_cost_by_hand(void **state) {
  (void)state;
  /* 100 tokens/s per alpha-a server; a 1.05e7 CNY budget buys 10 servers,
   * 1,000 tokens/s at peak, so at peak x2 over 86,400 s it sustains
   * 1000 / 2 x 86400 = 4.32e7 tokens/day (half the workload's 8.64e7).
   * opex = 291,532.8 CNY/year (tco_arithmetic_by_hand), TCO = 11,457,664
   * CNY; tokens = 4.32e7 x 365 x 5 = 7.884e10; cost = 145.33 CNY/Mtok. */
  const char *text =
      "name: t\n"
      "defaults:\n"
      "  workload: {model: {params: 5e11}, tokens_per_day: 8.64e7, "
      "peak_factor: 2}\n"
      "  mfu: 0.5\n"
      "  devices: [alpha-a]\n"
      "  objective: max_tokens\n"
      "  constraints: {budget_cny: 1.05e7}\n"
      "scenarios:\n  - name: s\n";
  hp_planfile *pf = NULL;
  hp_diag d;
  assert_int_equal(
      hp_planfile_parse(text, strlen(text), "t.yaml", fix_cat, &pf, &d), HP_OK);
  const hp_scenario *s = hp_planfile_scenario(pf, 0);
  hp_scenario_result r;
  assert_int_equal(hp_planner_solve(s, fix_cat, &r, &d), HP_OK);
  hp_wi_row row;
  memset(&row, 0, sizeof row);
  assert_int_equal(hp_wi_solve_row(s, NULL, 0, &row, NULL, NULL, NULL, &d),
                   HP_OK);
  assert_true(near(r.capex_cny, 1e7, 1e-6));
  assert_true(near(r.delivered_tokens_per_s, 1000, 1e-6));
  assert_true(near(hp_result_sustained_tokens_per_day(&r), 4.32e7, 1e-3));
  assert_true(near(r.tco_cny, 11457664.0, 1e-6));
  assert_true(near(r.cost_per_mtok_cny, 11457664.0 / 78840.0, 1e-9));
  assert_true(near(row.cost_per_mtok_cny, 11457664.0 / 78840.0, 1e-9));
  hp_planner_result_cleanup(&r);
  hp_planfile_free(pf);
}

/* ----------------------------------------------------------------------------
 * Monte Carlo
 * ------------------------------------------------------------------------- */

static hp_wi_table *mc(const char *text, size_t n, uint64_t seed,
                       unsigned threads) {
  hp_wi_table *t = NULL;
  hp_diag d;
  hp_wi_opts o = {threads, NULL, NULL, NULL, 0};
  int rc = hp_wi_montecarlo(text, strlen(text), "t.yaml", fix_cat, n, seed, &o,
                            &t, &d);
  if (rc != HP_OK)
    print_error("%s:%d:%d: %s\n", d.file, d.line, d.column, d.msg);
  assert_int_equal(rc, HP_OK);
  return t;
}

/* Four keys, integer servers, two cards, a cap: every kind of draw. */
#define MC_PLAN                                                                \
  HEAD0 "  devices: [alpha-a, beta-b, gamma-d]\n"                              \
        "  constraints: {domestic_share: {min: 0.2}, caps: {alpha-a: 200}}\n"  \
        "scenarios:\n  - name: s\n  - name: t\n"                               \
        "    constraints: {caps: {alpha-a: 40}}\n"                             \
        "uncertain:\n"                                                         \
        "  workload.tokens_per_day: {dist: lognormal, median: 8.64e7, "        \
        "sigma: 0.3}\n"                                                        \
        "  overrides.alpha-a.price_server_cny: {dist: triangular, min: 8e5, "  \
        "mode: 9e5, max: 1.4e6}\n"                                             \
        "  constraints.caps.gamma-d: {dist: uniform, min: 0, max: 100}\n"      \
        "  mfu: {dist: normal, mean: 0.5, sd: 0.05, min: 0.3, max: 0.7}\n"

static void mc_same_with_1_and_2_threads(void **state) {
  (void)state;
  hp_wi_table *a = mc(MC_PLAN, 500, 42, 1);
  hp_wi_table *b = mc(MC_PLAN, 500, 42, 2);
  assert_int_equal(a->threads, 1);
  assert_int_equal(b->threads, 2);
  assert_int_equal(a->n_rows, 1000);
  assert_int_equal(b->n_rows, a->n_rows);
  assert_memory_equal(a->values, b->values,
                      a->n_points * a->n_keys * sizeof *a->values);
  assert_memory_equal(a->rows, b->rows, a->n_rows * sizeof *a->rows);
  assert_memory_equal(a->vendor_cards, b->vendor_cards,
                      a->n_rows * a->n_vendors * sizeof(double));
  /* Another seed draws other numbers; the same seed the same ones. */
  hp_wi_table *c = mc(MC_PLAN, 500, 43, 2);
  assert_memory_not_equal(a->values, c->values,
                          a->n_points * a->n_keys * sizeof *a->values);
  hp_wi_table_free(a);
  hp_wi_table_free(b);
  hp_wi_table_free(c);
}

static void mc_percentiles_closed_form(void **state) {
  (void)state;
  /* One SKU, fractional servers: capex = tokens_per_day / 86,400 / 100 x
   * 1e6 CNY, linear. tokens_per_day ~ U(8.64e7, 1.728e8) makes capex ~
   * U(1e7, 2e7): P10 = 1.1e7, P50 = 1.5e7, P90 = 1.9e7, mean 1.5e7.
   * With n = 10,000 samples the standard error of the p-quantile of a
   * uniform of range R is R x sqrt(p (1 - p) / n): 3.0e4 at P10/P90, 5.0e4
   * at P50; the mean's is R / sqrt(12 n) = 2.9e4. A tolerance of 2e5 is 4
   * standard errors or more for each, and the seed is fixed, so the test
   * is deterministic; a biased sampler (e.g. a wrong bound) would miss by
   * far more. */
  const char *plan = HEAD "  granularity: fractional\n"
                          "scenarios:\n  - name: s\n"
                          "uncertain:\n"
                          "  workload.tokens_per_day: {dist: uniform, "
                          "min: 8.64e7, max: 1.728e8}\n";
  hp_wi_table *t = mc(plan, 10000, 7, 2);
  hp_wi_stats st;
  assert_int_equal(hp_wi_column_stats(t, 0, "capex_cny", &st), HP_OK);
  assert_int_equal(st.n, 10000);
  assert_true(near(st.p10, 1.1e7, 2e5));
  assert_true(near(st.p50, 1.5e7, 2e5));
  assert_true(near(st.p90, 1.9e7, 2e5));
  assert_true(near(st.mean, 1.5e7, 2e5));
  assert_true(st.min >= 1e7 - 1e-3 && st.max <= 2e7 + 1e-3);
  /* Cards follow: 8 per 1e6 CNY. */
  assert_int_equal(hp_wi_column_stats(t, 0, "cards.Alpha", &st), HP_OK);
  assert_true(near(st.p50, 120, 1.6));
  assert_int_equal(hp_wi_column_stats(t, 0, "nope", &st), HP_ENOTFOUND);
  hp_wi_table_free(t);
}

static void mc_infeasible_counted(void **state) {
  (void)state;
  /* Demand needs 80 alpha-a cards; the cap is U(40, 120): about half the
   * samples cannot be served. They stay in the table, counted. */
  const char *plan = HEAD "scenarios:\n  - name: s\n"
                          "uncertain:\n"
                          "  constraints.caps.alpha-a: {dist: uniform, "
                          "min: 40, max: 120}\n";
  hp_wi_table *t = mc(plan, 2000, 3, 2);
  assert_int_equal(t->n_rows, 2000);
  size_t inf = 0;
  for (size_t i = 0; i < t->n_rows; i++) {
    int feasible = t->values[i] >= 80;
    assert_int_equal(t->rows[i].status,
                     feasible ? HP_RESULT_OPTIMAL : HP_RESULT_INFEASIBLE);
    inf += !feasible;
  }
  assert_int_equal(t->n_infeasible, inf);
  assert_true(inf > 900 && inf < 1100); /* binomial(2000, 0.5): 4.5 sd */
  /* The engine's per-scenario counts, the chart's; a recount agrees. */
  assert_non_null(t->counts);
  for (int pass = 0; pass < 2; pass++) {
    assert_int_equal(t->counts[0].infeasible, inf);
    assert_int_equal(t->counts[0].optimal, 2000 - inf);
    assert_int_equal(t->counts[0].errors, 0);
    memset(t->counts, 0, sizeof *t->counts);
    assert_int_equal(hp_wi_table_tally(t), HP_OK);
  }
  hp_buf b;
  hp_buf_init(&b);
  assert_int_equal(hp_report_whatif(t, HP_FORMAT_TABLE, &b), HP_OK);
  char want[64];
  snprintf(want, sizeof want, "%zu infeasible", inf);
  assert_non_null(strstr(b.data, want));
  hp_buf_cleanup(&b);
  hp_wi_table_free(t);
}

/* A sampled value the plan rejects makes that sample invalid, whichever
 * sample it is (sample 0 too): the run goes on. */
static void mc_invalid_samples_counted(void **state) {
  (void)state;
  const char *plan = HEAD "scenarios:\n  - name: s\n"
                          "uncertain:\n"
                          "  mfu: {dist: normal, mean: 0.9, sd: 0.2}\n";
  int first_invalid = 0;
  for (uint64_t seed = 1; seed <= 4; seed++) {
    hp_wi_table *t = mc(plan, 200, seed, 2);
    size_t bad = 0;
    for (size_t i = 0; i < t->n_rows; i++) {
      int invalid = !(t->values[i] > 0 && t->values[i] <= 1);
      assert_int_equal(t->rows[i].status == HP_RESULT_ERROR, invalid);
      bad += invalid;
    }
    assert_int_equal(t->n_error, bad);
    assert_int_equal(t->counts[0].errors, bad);
    assert_int_equal(t->counts[0].optimal + t->counts[0].infeasible, 200 - bad);
    assert_true(bad > 0 && bad < 200);
    first_invalid |= t->rows[0].status == HP_RESULT_ERROR;
    hp_wi_table_free(t);
  }
  assert_true(first_invalid); /* the case that used to stop the run */
}

static void dist_moments(void **state) {
  (void)state;
  /* 200,000 draws each: standard errors are sd / 447. */
  hp_wi_dist g[4] = {
      {NULL, HP_DIST_UNIFORM, {2, 4, 0}, -HUGE_VAL, HUGE_VAL, 0, 0},
      {NULL, HP_DIST_NORMAL, {10, 2, 0}, -HUGE_VAL, HUGE_VAL, 0, 0},
      {NULL, HP_DIST_TRIANGULAR, {0, 1, 5}, -HUGE_VAL, HUGE_VAL, 0, 0},
      {NULL, HP_DIST_LOGNORMAL, {3, 0.5, 0}, -HUGE_VAL, HUGE_VAL, 0, 0}};
  const double mean[4] = {3, 10, 2, 3 * 1.1331484530668263}; /* e^(s^2/2) */
  const double sd[4] = {2 / sqrt(12.0), 2, sqrt((25 + 1 - 5) / 18.0), 1.6};
  static double v[200000];
  for (int k = 0; k < 4; k++) {
    hp_rng r;
    hp_wi_rng_seed(&r, 99, (uint64_t)k);
    double sum = 0;
    for (int i = 0; i < 200000; i++)
      sum += v[i] = hp_wi_dist_draw(&g[k], &r);
    assert_true(near(sum / 200000, mean[k], 5 * sd[k] / 447));
    if (k == 3) { /* lognormal: the median is the parameter */
      hp_wi_stats st;
      hp_wi_stats_of(v, 200000, &st);
      assert_true(near(st.p50, 3, 0.02));
    }
  }
  /* Truncation keeps draws inside [min, max]. */
  hp_wi_dist t = {NULL, HP_DIST_NORMAL, {0.5, 0.3, 0}, 0.3, 0.7, 0, 0};
  hp_rng r;
  hp_wi_rng_seed(&r, 1, 0);
  for (int i = 0; i < 10000; i++) {
    double x = hp_wi_dist_draw(&t, &r);
    assert_true(x >= 0.3 && x <= 0.7);
  }
  /* Streams: the same (seed, index) gives the same numbers. */
  hp_rng a, b;
  hp_wi_rng_seed(&a, 5, 123);
  hp_wi_rng_seed(&b, 5, 123);
  for (int i = 0; i < 100; i++)
    assert_true(hp_wi_rng_next(&a) == hp_wi_rng_next(&b));
  hp_wi_rng_seed(&b, 5, 124);
  assert_true(hp_wi_rng_next(&a) != hp_wi_rng_next(&b));
}

/* Percentiles by linear interpolation between order statistics (R type 7):
 * the p-quantile of sorted x[0..n) is x[lo] + (h - lo) (x[lo + 1] - x[lo])
 * at h = (n - 1) p, lo = floor(h). */
static void stats_quantiles_by_hand(void **state) {
  (void)state;
  /* {10, 9, ..., 1}, sorted in place to {1, ..., 10}; n - 1 = 9:
   * P10: h = 0.9, 1 + 0.9 x (2 - 1) = 1.9;
   * P50: h = 4.5, 5 + 0.5 x (6 - 5) = 5.5;
   * P90: h = 8.1, 9 + 0.1 x (10 - 9) = 9.1;
   * mean 55 / 10 = 5.5; min 1, max 10. */
  double v[10];
  for (int i = 0; i < 10; i++)
    v[i] = 10 - i;
  hp_wi_stats st;
  hp_wi_stats_of(v, 10, &st);
  assert_int_equal(st.n, 10);
  assert_true(near(st.p10, 1.9, 1e-12));
  assert_true(near(st.p50, 5.5, 1e-12));
  assert_true(near(st.p90, 9.1, 1e-12));
  assert_true(near(st.mean, 5.5, 1e-12));
  assert_true(st.min == 1 && st.max == 10);
  for (int i = 0; i < 10; i++)
    assert_true(v[i] == i + 1);
  /* hp_wi_quantile on the sorted values: P25 at h = 2.25 is 3.25, P0 the
   * first, P100 the last (h = 9 has no x[10] to interpolate with). */
  assert_true(near(hp_wi_quantile(v, 10, 0.25), 3.25, 1e-12));
  assert_true(hp_wi_quantile(v, 10, 0) == 1);
  assert_true(hp_wi_quantile(v, 10, 1) == 10);
  /* n = 1: every percentile is the value. */
  double one[1] = {7};
  hp_wi_stats_of(one, 1, &st);
  assert_int_equal(st.n, 1);
  assert_true(st.p10 == 7 && st.p50 == 7 && st.p90 == 7);
  assert_true(st.mean == 7 && st.min == 7 && st.max == 7);
  /* n = 2, {3, 1} sorted to {1, 3}: h = p, so P10 = 1 + 0.1 x 2 = 1.2,
   * P50 = 2, P90 = 1 + 0.9 x 2 = 2.8; mean 2. */
  double two[2] = {3, 1};
  hp_wi_stats_of(two, 2, &st);
  assert_int_equal(st.n, 2);
  assert_true(near(st.p10, 1.2, 1e-12));
  assert_true(near(st.p50, 2.0, 1e-12));
  assert_true(near(st.p90, 2.8, 1e-12));
  assert_true(near(st.mean, 2.0, 1e-12));
  assert_true(st.min == 1 && st.max == 3);
  /* n = 0: all zeros, as the header says. */
  hp_wi_stats_of(v, 0, &st);
  assert_int_equal(st.n, 0);
  assert_true(st.p10 == 0 && st.p50 == 0 && st.p90 == 0 && st.mean == 0);
}

static void expect_uncertain_error(const char *block, int status, int line,
                                   int col, const char *words) {
  char text[2048];
  snprintf(text, sizeof text, "%sscenarios:\n  - name: s\nuncertain:\n%s", HEAD,
           block);
  hp_wi_dist *g = NULL;
  size_t n = 0;
  hp_diag d;
  hp_diag_clear(&d);
  int rc = hp_wi_dists_parse(text, strlen(text), "u.yaml", fix_cat, &g, &n, &d);
  if (rc != status || d.line != line || d.column != col ||
      !strstr(d.msg, words))
    print_error("got %d %s:%d:%d: %s\n", rc, d.file, d.line, d.column, d.msg);
  assert_int_equal(rc, status);
  assert_string_equal(d.file, "u.yaml");
  assert_int_equal(d.line, line);
  assert_int_equal(d.column, col);
  assert_non_null(strstr(d.msg, words));
  assert_null(g);
  /* The plan loader checks the block's form itself (any command that
   * loads the plan), at the same place; key paths, reported at the key
   * (column 3 here), are the run's check. */
  if (col == 3)
    return;
  hp_planfile *pf = NULL;
  hp_diag_clear(&d);
  rc = hp_planfile_parse(text, strlen(text), "u.yaml", fix_cat, &pf, &d);
  if (rc != status || d.line != line || d.column != col)
    print_error("loader: got %d %s:%d:%d: %s\n", rc, d.file, d.line, d.column,
                d.msg);
  assert_int_equal(rc, status);
  assert_int_equal(d.line, line);
  assert_int_equal(d.column, col);
  assert_non_null(strstr(d.msg, words));
  assert_null(pf);
}

static void uncertain_errors_with_marks(void **state) {
  (void)state;
  /* HEAD is 5 lines; "scenarios:", "- name: s", "uncertain:" make 8. */
  expect_uncertain_error("  mfu: {dist: gamma, a: 1}\n", HP_EINVAL, 9, 15,
                         "expected uniform, normal, triangular or lognormal");
  expect_uncertain_error("  mfu: {dist: normal, mean: 0.5}\n", HP_EMISSING, 9,
                         8, "needs 'sd'");
  expect_uncertain_error("  mfu: {dist: normal, mean: 0.5, sd: 0}\n", HP_ERANGE,
                         9, 38, "sd must be > 0");
  expect_uncertain_error("  mfu: {dist: uniform, min: 0.5, max: 0.5}\n",
                         HP_ERANGE, 9, 8, "min must be below max");
  expect_uncertain_error("  mfu: {dist: triangular, min: 0.1, mode: 0.9, "
                         "max: 0.5}\n",
                         HP_ERANGE, 9, 43, "mode must lie in [min, max]");
  expect_uncertain_error("  mfu: {dist: uniform, min: 0.1, max: 0.5, "
                         "mode: 0.2}\n",
                         HP_EKEY, 9, 44, "unknown key 'mode'");
  expect_uncertain_error("  mfu: 0.5\n", HP_ETYPE, 9, 8, "expected a mapping");
  /* A path the plan does not accept: the error is at the key. */
  expect_uncertain_error("  workload.tokens_per_dya: {dist: uniform, min: 1, "
                         "max: 2}\n",
                         HP_EKEY, 9, 3, "workload.tokens_per_dya");
  /* Truncation bounds that keep almost none of the distribution. */
  expect_uncertain_error("  mfu: {dist: normal, mean: 0.5, sd: 0.001, "
                         "min: 0.9, max: 0.95}\n",
                         HP_ERANGE, 9, 8, "at least 1% is needed");
  expect_uncertain_error("  mfu: {dist: lognormal, median: 0.5, sigma: 0.1, "
                         "min: 0.9}\n",
                         HP_ERANGE, 9, 8, "at least 1% is needed");
  /* The parameter's full path. */
  expect_uncertain_error("  mfu: {dist: uniform, min: .nan, max: 1}\n",
                         HP_ERANGE, 9, 29,
                         "uncertain.mfu.min: expected a "
                         "finite number");
  /* Keys that cannot vary. */
  expect_uncertain_error("  description: {dist: uniform, min: 1, max: 2}\n",
                         HP_ETYPE, 9, 3, "'description' is not a numeric");
  expect_uncertain_error("  overrides.beta-b.price_server_cny: {dist: uniform, "
                         "min: 1, max: 2}\n",
                         HP_EINVAL, 9, 3, "card 'beta-b' is not among");
  /* No block at all. */
  const char *text = HEAD "scenarios:\n  - name: s\n";
  hp_wi_dist *g = NULL;
  size_t n = 0;
  hp_diag d;
  assert_int_equal(
      hp_wi_dists_parse(text, strlen(text), "u.yaml", fix_cat, &g, &n, &d),
      HP_EMISSING);
}

/* ----------------------------------------------------------------------------
 * Batch and renderers
 * ------------------------------------------------------------------------- */

static void batch_goes_on_past_a_broken_plan(void **state) {
  (void)state;
  hp_planfile *pf = NULL;
  hp_plan *plan = NULL;
  hp_diag d, bad;
  hp_diag_clear(&bad);
  /* A plan that does not load, then one that does. */
  const char *broken = "name: b\nscenarios:\n  - name: s\n    mfu: [1]\n";
  int st = hp_planfile_parse(broken, strlen(broken), "broken.yaml", fix_cat,
                             &pf, &bad);
  assert_int_not_equal(st, HP_OK);
  const char *good = HEAD "scenarios:\n  - name: ok\n  - name: capped\n"
                          "    constraints: {caps: {alpha-a: 8}}\n";
  assert_int_equal(
      hp_planfile_parse(good, strlen(good), "good.yaml", fix_cat, &pf, &d),
      HP_OK);
  assert_int_equal(hp_plan_solve(pf, fix_cat, &plan, &d), HP_OK);
  hp_wi_batch_entry e[2] = {{"broken.yaml", NULL, &bad, st},
                            {"good.yaml", plan, NULL, 0}};
  for (int f = 0; f < 4; f++) {
    hp_buf b;
    hp_buf_init(&b);
    assert_int_equal(hp_report_whatif_batch(e, 2, (hp_format)f, &b), HP_OK);
    assert_non_null(strstr(b.data, "broken.yaml:3:5: scenario 's'"));
    assert_non_null(strstr(b.data, "good.yaml"));
    assert_non_null(strstr(b.data, "capped"));
    assert_non_null(strstr(b.data, "infeasible"));
    assert_non_null(strstr(b.data, "supply caps allow at most"));
    hp_buf_cleanup(&b);
  }
  hp_plan_free(plan);
  hp_planfile_free(pf);
}

/* The sweep's JSON (jansson) reads back as every row's figures, exactly
 * (a fractional plan, so most of them are not whole), with a scenario name
 * holding a newline and an escape written as escapes. */
static void sweep_json_reads_back(void **state) {
  (void)state;
  hp_wi_table *t = sweep(HEAD "  granularity: fractional\n"
                              "scenarios:\n  - name: \"a\\nb\\e[1m\"\n",
                         fix_cat, "mfu=0.31:0.52:0.07", 1);
  hp_buf b;
  hp_buf_init(&b);
  assert_int_equal(hp_report_whatif(t, HP_FORMAT_JSON, &b), HP_OK);
  assert_null(strchr(b.data, '\033'));
  json_error_t err;
  json_t *root = json_loads(b.data, 0, &err);
  assert_non_null(root);
  json_t *rows = json_object_get(root, "rows");
  assert_int_equal(json_array_size(rows), t->n_rows);
  assert_int_equal(json_integer_value(json_object_get(root, "points")), 4);
  for (size_t i = 0; i < t->n_rows; i++) {
    const hp_wi_row *r = &t->rows[i];
    json_t *o = json_array_get(rows, i);
    assert_string_equal(json_string_value(json_object_get(o, "scenario")),
                        "a\nb\033[1m");
    assert_true(json_number_value(json_object_get(json_object_get(o, "values"),
                                                  "mfu")) == t->values[i]);
    assert_true(json_number_value(json_object_get(o, "capex_cny")) ==
                r->capex_cny);
    assert_true(json_number_value(json_object_get(o, "tco_cny")) == r->tco_cny);
    assert_true(json_number_value(json_object_get(o, "cost_per_mtok_cny")) ==
                r->cost_per_mtok_cny);
    assert_true(json_number_value(json_object_get(o, "servers")) == r->servers);
    assert_true(json_number_value(json_object_get(o, "power_mw")) ==
                r->power_mw);
  }
  /* A whole number is written as its digits, as CSV writes it. */
  assert_non_null(strstr(b.data, "\"share_compute\": 0,"));
  json_decref(root);
  hp_buf_cleanup(&b);
  hp_wi_table_free(t);
}

static void renderers_carry_units(void **state) {
  (void)state;
  hp_wi_table *t =
      sweep(HEAD "  token_price_cny_per_mtok: 30\n"
                 "scenarios:\n  - name: s\n",
            fix_cat, "constraints.domestic_share.min=0:0.2:0.1", 1);
  hp_buf b;
  hp_buf_init(&b);
  assert_int_equal(hp_report_whatif(t, HP_FORMAT_TABLE, &b), HP_OK);
  assert_non_null(strstr(b.data, "constraints.domestic_share.min (fraction)"));
  assert_non_null(strstr(b.data, "capex (100M CNY)"));
  assert_non_null(strstr(b.data, "cost (CNY/Mtok)"));
  assert_non_null(strstr(b.data, "cost/price (%)"));
  assert_non_null(strstr(b.data, "Alpha (cards)"));
  hp_buf_cleanup(&b);
  hp_buf_init(&b);
  assert_int_equal(hp_report_whatif(t, HP_FORMAT_CSV, &b), HP_OK);
  assert_non_null(strstr(b.data, "constraints.domestic_share.min,scenario,"
                                 "status,capex_cny,opex_cny_per_year,"));
  assert_non_null(strstr(b.data, "\n0,s,optimal,10000000,291532.8,"));
  /* alpha-a is the only card and is not domestic: any mandate fails. */
  assert_non_null(strstr(b.data, "\n0.1,s,infeasible,"));
  hp_buf_cleanup(&b);
  hp_buf_init(&b);
  assert_int_equal(hp_report_whatif(t, HP_FORMAT_JSON, &b), HP_OK);
  assert_non_null(strstr(b.data, "\"capex_cny\": "));
  hp_buf_cleanup(&b);
  hp_wi_table_free(t);
}

/* ----------------------------------------------------------------------------
 * Streaming: spooled rows, renders written as they go, engine summaries
 * ------------------------------------------------------------------------- */

/* hp_report_whatif_to's receiver: appends to an hp_buf, counting the calls. */
typedef struct collect {
  hp_buf b;
  size_t calls;
} collect;

static int collect_write(const char *data, size_t len, void *ud) {
  collect *c = ud;
  c->calls++;
  hp_buf_append(&c->b, data, len);
  return c->b.oom ? HP_ENOMEM : HP_OK;
}

static int fail_write(const char *data, size_t len, void *ud) {
  (void)data;
  (void)len;
  (void)ud;
  return HP_EIO;
}

/* Every format of a spooled table, rendered whole and streamed, is the
 * in-memory table's text byte for byte. */
static void expect_same_renders(const hp_wi_table *mem, const hp_wi_table *sp,
                                size_t min_calls) {
  const hp_format fmts[] = {HP_FORMAT_TABLE, HP_FORMAT_CSV, HP_FORMAT_JSON,
                            HP_FORMAT_MD};
  for (size_t i = 0; i < 4; i++) {
    hp_buf a, b;
    hp_buf_init(&a);
    hp_buf_init(&b);
    assert_int_equal(hp_report_whatif(mem, fmts[i], &a), HP_OK);
    assert_int_equal(hp_report_whatif(sp, fmts[i], &b), HP_OK);
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.data, b.data, a.len);
    collect c = {{0}, 0};
    hp_buf_init(&c.b);
    assert_int_equal(hp_report_whatif_to(sp, fmts[i], collect_write, &c),
                     HP_OK);
    assert_int_equal(c.b.len, a.len);
    assert_memory_equal(c.b.data, a.data, a.len);
    assert_true(c.calls >= min_calls);
    hp_buf_cleanup(&a);
    hp_buf_cleanup(&b);
    hp_buf_cleanup(&c.b);
  }
}

static void sweep_spooled_same_as_memory(void **state) {
  (void)state;
  /* 6,001 points x 2 scenarios: past the spool's 4,096-row threshold, with
   * infeasible rows (the cap) and error rows (min above max). */
  const char *plan =
      HEAD0 "  devices: [alpha-a, beta-b]\n"
            "  constraints: {domestic_share: {max: 0.9}, caps: {alpha-a: 60, "
            "beta-b: 40}}\n"
            "scenarios:\n  - name: s\n  - name: u\n"
            "    constraints: {caps: {alpha-a: 200}}\n";
  hp_wi_axis a;
  hp_diag d;
  assert_int_equal(
      hp_wi_axis_parse("constraints.domestic_share.min=0:1.2:0.0002", &a, &d),
      HP_OK);
  hp_wi_table *t[2] = {NULL, NULL};
  for (int sp = 0; sp < 2; sp++) {
    hp_wi_opts o = {2, NULL, NULL, NULL, sp};
    assert_int_equal(hp_wi_sweep(plan, strlen(plan), "t.yaml", fix_cat, &a, 1,
                                 &o, &t[sp], &d),
                     HP_OK);
  }
  hp_wi_axis_cleanup(&a);
  assert_null(t[0]->spool);
  assert_non_null(t[0]->rows);
  assert_non_null(t[1]->spool);
  assert_null(t[1]->rows); /* the rows are not held in memory */
  assert_int_equal(t[1]->n_rows, 12002);
  assert_true(t[1]->n_error > 0 && t[1]->n_infeasible > 0);
  assert_int_equal(t[1]->n_error, t[0]->n_error);
  assert_int_equal(t[1]->n_error_solver, 0); /* rejected values only */
  assert_int_equal(t[1]->n_infeasible, t[0]->n_infeasible);
  assert_string_equal(t[1]->first_error, t[0]->first_error);
  /* The cursor gives the in-memory rows, in order. */
  hp_wi_cursor c;
  hp_wi_rowref x;
  assert_int_equal(hp_wi_cursor_open(t[1], &c), HP_OK);
  for (size_t i = 0; i < t[0]->n_rows; i++) {
    assert_int_equal(hp_wi_cursor_next(&c, &x), 1);
    const hp_wi_row *m = &t[0]->rows[i];
    assert_int_equal(x.row->point, m->point);
    assert_int_equal(x.row->status, m->status);
    assert_memory_equal(&x.row->capex_cny, &m->capex_cny, sizeof(double));
    assert_memory_equal(x.vendor_cards,
                        &t[0]->vendor_cards[i * t[0]->n_vendors],
                        t[0]->n_vendors * sizeof(double));
  }
  assert_int_equal(hp_wi_cursor_next(&c, &x), 0);
  hp_wi_cursor_close(&c);
  /* 12,002 CSV rows are more than one 64 KB flush. */
  expect_same_renders(t[0], t[1], 3);
  /* A receiver that fails stops the render with its error. */
  assert_int_equal(hp_report_whatif_to(t[1], HP_FORMAT_CSV, fail_write, NULL),
                   HP_EIO);
  hp_wi_table_free(t[0]);
  hp_wi_table_free(t[1]);
}

/* A progress callback that stalls the emitting thread (it is called by
 * the thread that takes finished points) long enough, the first time, for
 * the workers to finish every point of the window (12,001 points: more
 * than a window of 4,096 past where the stall begins). */
static void stall_once(size_t done, size_t total, void *ud) {
  (void)done;
  (void)total;
  int *stalled = ud;
  if (!*stalled) {
    *stalled = 1;
    struct timespec ts = {3, 0};
    nanosleep(&ts, NULL);
  }
}

/* With the whole window finished before the emitting thread looks, it must
 * stop at the window's end: points beyond it share the slots of points not
 * yet taken. Before the fix it took them as finished and wrote the window's
 * first rows again (seen under valgrind: 726 error rows of 3,000). */
static void sweep_spool_full_window(void **state) {
  (void)state;
  const char *plan = HEAD0 "  devices: [alpha-a, beta-b]\n"
                           "  constraints: {domestic_share: {max: 0.9}}\n"
                           "scenarios:\n  - name: s\n";
  hp_wi_axis a;
  hp_diag d;
  assert_int_equal(
      hp_wi_axis_parse("constraints.domestic_share.min=0:1.2:0.0001", &a, &d),
      HP_OK);
  hp_wi_table *t[2] = {NULL, NULL};
  for (int sp = 0; sp < 2; sp++) {
    int stalled = 0;
    hp_wi_opts o = {2, NULL, sp ? stall_once : NULL, &stalled, sp};
    assert_int_equal(hp_wi_sweep(plan, strlen(plan), "t.yaml", fix_cat, &a, 1,
                                 &o, &t[sp], &d),
                     HP_OK);
  }
  hp_wi_axis_cleanup(&a);
  assert_non_null(t[1]->spool);
  assert_int_equal(t[1]->n_error, t[0]->n_error);
  assert_int_equal(t[1]->n_infeasible, t[0]->n_infeasible);
  hp_wi_cursor c;
  hp_wi_rowref x;
  assert_int_equal(hp_wi_cursor_open(t[1], &c), HP_OK);
  for (size_t i = 0; i < t[0]->n_rows; i++) {
    assert_int_equal(hp_wi_cursor_next(&c, &x), 1);
    assert_int_equal(x.row->point, t[0]->rows[i].point);
    assert_int_equal(x.row->status, t[0]->rows[i].status);
  }
  hp_wi_cursor_close(&c);
  hp_wi_table_free(t[0]);
  hp_wi_table_free(t[1]);
}

static void mc_summaries_from_the_engine(void **state) {
  (void)state;
  hp_wi_table *t[2] = {NULL, NULL};
  hp_diag d;
  for (int sp = 0; sp < 2; sp++) {
    hp_wi_opts o = {2, NULL, NULL, NULL, sp};
    assert_int_equal(hp_wi_montecarlo(MC_PLAN, strlen(MC_PLAN), "t.yaml",
                                      fix_cat, 2500, 42, &o, &t[sp], &d),
                     HP_OK);
  }
  assert_non_null(t[1]->spool);
  assert_non_null(t[0]->mc);
  assert_non_null(t[1]->mc);
  for (size_t s = 0; s < 2; s++) {
    const hp_wi_mc_summary *a = &t[0]->mc[s], *b = &t[1]->mc[s];
    assert_int_equal(a->optimal + a->infeasible + a->errors, 2500);
    assert_int_equal(a->optimal, b->optimal);
    assert_int_equal(a->n_quantities, b->n_quantities);
    for (size_t q = 0; q < a->n_quantities; q++) {
      const hp_wi_quantity *x = &a->quantities[q];
      assert_memory_equal(&x->st, &b->quantities[q].st, sizeof x->st);
      /* Each output is the column's statistics over the optimal rows. */
      if (!x->column[0])
        continue;
      hp_wi_stats st;
      assert_int_equal(hp_wi_column_stats(t[0], s, x->column, &st), HP_OK);
      assert_memory_equal(&st, &x->st, sizeof st);
    }
    /* Inputs come first, over every sample. */
    assert_int_equal(a->quantities[0].st.n, 2500);
    assert_string_equal(a->quantities[4].column, "capex_cny");
    /* The capex histogram (what the chart and the workbook draw): the
     * same from the spool, sqrt(n) bins (10 to 60) from the least capex
     * to the most, every optimal row counted once in its bin. */
    const hp_wi_hist *h = &a->capex_hist;
    const hp_wi_stats *cs = &a->quantities[4].st;
    assert_memory_equal(h, &b->capex_hist, sizeof *h);
    size_t want = (size_t)ceil(sqrt((double)a->optimal));
    want = want < 10 ? 10 : want > 60 ? 60 : want;
    assert_int_equal(h->n_bins, want);
    assert_true(h->lo_cny == cs->min);
    assert_true(near(h->lo_cny + h->n_bins * h->width_cny, cs->max, 1e-6));
    size_t cnt[HP_WI_HIST_MAX] = {0}, total = 0;
    for (size_t i = 0; i < t[0]->n_rows; i++) {
      const hp_wi_row *r = &t[0]->rows[i];
      if (r->scenario != s || r->status != HP_RESULT_OPTIMAL)
        continue;
      size_t k = (size_t)((r->capex_cny - h->lo_cny) / h->width_cny);
      cnt[k >= h->n_bins ? h->n_bins - 1 : k]++;
    }
    for (size_t k = 0; k < h->n_bins; k++) {
      assert_int_equal(h->counts[k], cnt[k]);
      total += h->counts[k];
    }
    assert_int_equal(total, a->optimal);
  }
  /* A spooled table has no rows for hp_wi_column_stats: the summary is
   * where the numbers are. */
  hp_wi_stats st;
  assert_int_equal(hp_wi_column_stats(t[1], 0, "capex_cny", &st), HP_ENOTSUP);
  expect_same_renders(t[0], t[1], 1);
  hp_wi_table_free(t[0]);
  hp_wi_table_free(t[1]);
}

/* Samples that all cost the same: one bin, centred on that capex, 2% of
 * it wide (an input that moves nothing the plan buys). */
static void mc_hist_one_value(void **state) {
  (void)state;
  hp_wi_table *t =
      mc(HEAD "scenarios:\n  - name: s\n"
              "uncertain:\n"
              "  constraints.domestic_share.max: {dist: uniform, min: 0.5, "
              "max: 1}\n",
         50, 3, 1);
  const hp_wi_hist *h = &t->mc[0].capex_hist;
  assert_int_equal(t->mc[0].optimal, 50);
  assert_int_equal(h->n_bins, 1);
  assert_int_equal(h->counts[0], 50);
  assert_true(near(h->width_cny, 0.02 * 1e7, 1e-6));
  assert_true(near(h->lo_cny + 0.5 * h->width_cny, 1e7, 1e-6));
  hp_wi_table_free(t);
}

/* The planner's one solve path with the sweeps' options: the lean result
 * has the full result's totals; without explain an infeasible result has
 * no explanation; with a warm cache the optimum is kept for the next
 * solve. */
static void solve_opts_lean_and_warm(void **state) {
  (void)state;
  const char *text = HEAD0 "  devices: [alpha-a, beta-b]\n"
                           "  constraints: {domestic_share: {min: 0.3}}\n"
                           "scenarios:\n  - name: s\n  - name: none\n"
                           "    constraints: {caps: {alpha-a: 0, beta-b: 0}}\n";
  hp_planfile *pf = NULL;
  hp_diag d;
  assert_int_equal(
      hp_planfile_parse(text, strlen(text), "t.yaml", fix_cat, &pf, &d), HP_OK);
  const hp_scenario *s = hp_planfile_scenario(pf, 0);
  hp_scenario_result full, lean;
  assert_int_equal(hp_planner_solve(s, fix_cat, &full, &d), HP_OK);
  hp_solve_warm w;
  memset(&w, 0, sizeof w);
  hp_solve_opts o;
  hp_planner_solve_opts_default(&o);
  assert_int_equal(o.explain, 1);
  o.lean = 1;
  o.explain = 0;
  o.warm = &w;
  assert_int_equal(hp_planner_solve_opts(s, fix_cat, &o, &lean, &d), HP_OK);
  assert_int_equal(lean.status, HP_RESULT_OPTIMAL);
  assert_memory_equal(&lean.capex_cny, &full.capex_cny, sizeof(double));
  assert_memory_equal(&lean.tco_cny, &full.tco_cny, sizeof(double));
  assert_memory_equal(&lean.cards, &full.cards, sizeof(double));
  assert_int_equal(lean.n_vendors, full.n_vendors);
  assert_int_equal(w.valid, 1);
  assert_int_equal(w.proven, 1);
  assert_int_equal(o.error, HP_OK);
  hp_planner_result_cleanup(&lean);
  /* Started from that optimum, the same point gives the same plan. */
  assert_int_equal(hp_planner_solve_opts(s, fix_cat, &o, &lean, &d), HP_OK);
  assert_memory_equal(&lean.capex_cny, &full.capex_cny, sizeof(double));
  hp_planner_result_cleanup(&lean);
  hp_planner_result_cleanup(&full);
  /* Nothing can be bought: infeasible, explained by default only. */
  s = hp_planfile_scenario(pf, 1);
  assert_int_equal(hp_planner_solve(s, fix_cat, &full, &d), HP_OK);
  assert_int_equal(full.status, HP_RESULT_INFEASIBLE);
  assert_non_null(full.explanation);
  assert_int_equal(hp_planner_solve_opts(s, fix_cat, &o, &lean, &d), HP_OK);
  assert_int_equal(lean.status, HP_RESULT_INFEASIBLE);
  assert_null(lean.explanation);
  assert_int_equal(w.valid, 0); /* no optimum to start the next one from */
  hp_planner_result_cleanup(&lean);
  hp_planner_result_cleanup(&full);
  hp_planner_warm_cleanup(&w);
  hp_planfile_free(pf);
}

/* hp_scenario_set against binding the plan again, key by key: where it
 * sets a value the binder accepts it too and the solve is the same to the
 * bit; where the binder refuses a value hp_scenario_set declines it
 * (HP_ENOTSUP), so the binder's message is the one a row shows. */
static void scenario_set_matches_binding(void **state) {
  (void)state;
  const char *text =
      HEAD0 "  devices: [alpha-a, beta-b]\n"
            "  years: 5\n  pue: 1.3\n  power_price_cny_per_kwh: 0.4\n"
            "  utilisation: 1\n  token_price_cny_per_mtok: 30\n"
            "  solver: {mip_gap: 0}\n"
            "  constraints: {domestic_share: {min: 0.2, max: 0.8}, "
            "headroom: 0.1,\n"
            "    budget_cny: 1e9, power_mw: 100, max_vendor_share: 0.9,\n"
            "    caps: {alpha-a: 70, vendor.Beta: 60}}\n"
            "scenarios:\n  - name: s\n";
  static const struct {
    const char *key;
    double v[4];
  } cases[] = {
      {"workload.tokens_per_day", {1.2e8, 4e7, 0, -1}},
      {"constraints.domestic_share.min", {0.5, 0.8, 0.9, -0.1}},
      {"constraints.domestic_share.max", {0.3, 0.2, 0.1, 1.5}},
      {"constraints.headroom", {0, 0.5, -0.2, NAN}},
      {"constraints.power_mw", {50, 0.001, 0, -3}},
      {"constraints.budget_cny", {2e7, 1e6, 0, INFINITY}},
      {"constraints.max_vendor_share", {0.6, 1, 0, 1.1}},
      {"constraints.caps.alpha-a", {0, 24, 30.5, -1}},
      {"constraints.caps.vendor.Beta", {80, 8, 0, -8}},
      {"years", {1, 10.5, 0, -1}},
      {"power_price_cny_per_kwh", {0, 1.2, -0.1, NAN}},
      {"utilisation", {0.5, 0, 1.5, -1}},
      {"token_price_cny_per_mtok", {1, 100, 0, -5}},
      {"solver.mip_gap", {1e-4, 0, 2, -1}},
  };
  hp_planfile *base = NULL;
  hp_diag d;
  assert_int_equal(
      hp_planfile_parse(text, strlen(text), "t.yaml", fix_cat, &base, &d),
      HP_OK);
  assert_false(hp_scenario_set_planfile_takes(base, "workload.users"));
  assert_false(hp_scenario_set_planfile_takes(base, "workload.model.params"));
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    assert_true(hp_scenario_set_planfile_takes(base, cases[i].key));
    for (int j = 0; j < 4; j++) {
      double v = cases[i].v[j];
      hp_scenario s;
      assert_int_equal(hp_scenario_set_copy(&s, hp_planfile_scenario(base, 0)),
                       HP_OK);
      int rs = hp_scenario_set(&s, cases[i].key, v, &d);
      if (j == 0) /* the first value of each is one both take */
        assert_int_equal(rs, HP_OK);
      hp_planfile *pf = NULL;
      assert_int_equal(
          hp_planfile_parse(text, strlen(text), "t.yaml", fix_cat, &pf, &d),
          HP_OK);
      int rb = hp_planfile_set_number(pf, cases[i].key, v, &d);
      if (rb != HP_OK) /* refused by the binder: declined here too */
        assert_int_equal(rs, HP_ENOTSUP);
      if (rs == HP_OK) {
        assert_int_equal(rb, HP_OK);
        hp_scenario_result a, b;
        assert_int_equal(hp_planner_solve(&s, fix_cat, &a, &d), HP_OK);
        assert_int_equal(
            hp_planner_solve(hp_planfile_scenario(pf, 0), fix_cat, &b, &d),
            HP_OK);
        assert_int_equal(a.status, b.status);
        assert_memory_equal(&a.capex_cny, &b.capex_cny, sizeof(double));
        assert_memory_equal(&a.tco_cny, &b.tco_cny, sizeof(double));
        assert_memory_equal(&a.cost_per_mtok_cny, &b.cost_per_mtok_cny,
                            sizeof(double));
        assert_memory_equal(&a.cards, &b.cards, sizeof(double));
        assert_memory_equal(&a.gap, &b.gap, sizeof(double));
        hp_planner_result_cleanup(&a);
        hp_planner_result_cleanup(&b);
      }
      hp_planfile_free(pf);
      hp_scenario_cleanup(&s);
    }
  }
  hp_planfile_free(base);
}

/* A copy of a services scenario owns its services and throughput rows:
 * set and solved, it gives binding's plan to the bit, and freeing the copy
 * and the plan frees each once (a copy that shared them freed them twice:
 * `hetplan sweep plans/fleet-2025-services.yaml --vary
 * constraints.domestic_share.min=...` aborted). */
static void scenario_copy_owns_services(void **state) {
  (void)state;
  const char *text =
      "name: t\n"
      "defaults:\n"
      "  devices: [alpha-a, beta-c]\n"
      "  constraints: {domestic_share: {min: 0.2}}\n"
      "  services:\n"
      "    - {name: s, model: {params: 1e9}, requests_per_s: 3,\n"
      "       requests: [{name: a, input_tokens: 50, output_tokens: 50},\n"
      "                  {name: b, input_tokens: 50, output_tokens: 50}]}\n"
      "  throughput:\n"
      "    - {service: s, class: a, device: alpha-a, tokens_per_s: 500, "
      "source: bench}\n"
      "    - {service: s, class: b, device: beta-c, requests_per_s: 5, "
      "source: bench}\n"
      "scenarios: [{name: a}]\n";
  hp_planfile *base = NULL, *pf = NULL;
  hp_diag d;
  assert_int_equal(
      hp_planfile_parse(text, strlen(text), "t.yaml", fix_cat, &base, &d),
      HP_OK);
  const hp_scenario *b0 = hp_planfile_scenario(base, 0);
  assert_int_equal(b0->n_services, 1);
  assert_int_equal(b0->n_tput, 2);
  assert_true(
      hp_scenario_set_planfile_takes(base, "constraints.domestic_share.min"));
  hp_scenario s;
  assert_int_equal(hp_scenario_set_copy(&s, b0), HP_OK);
  assert_ptr_not_equal(s.services, b0->services);
  assert_ptr_not_equal(s.services[0].classes, b0->services[0].classes);
  assert_ptr_not_equal(s.tput, b0->tput);
  assert_string_equal(s.services[0].classes[1].name, "b");
  assert_string_equal(s.tput[1].source, "bench");
  assert_int_equal(
      hp_scenario_set(&s, "constraints.domestic_share.min", 0.6, &d), HP_OK);
  assert_int_equal(
      hp_planfile_parse(text, strlen(text), "t.yaml", fix_cat, &pf, &d), HP_OK);
  assert_int_equal(
      hp_planfile_set_number(pf, "constraints.domestic_share.min", 0.6, &d),
      HP_OK);
  hp_scenario_result a, b;
  assert_int_equal(hp_planner_solve(&s, fix_cat, &a, &d), HP_OK);
  assert_int_equal(
      hp_planner_solve(hp_planfile_scenario(pf, 0), fix_cat, &b, &d), HP_OK);
  assert_int_equal(a.status, HP_RESULT_OPTIMAL);
  assert_int_equal(a.status, b.status);
  assert_memory_equal(&a.capex_cny, &b.capex_cny, sizeof(double));
  assert_memory_equal(&a.tco_cny, &b.tco_cny, sizeof(double));
  assert_memory_equal(&a.servers, &b.servers, sizeof(double));
  hp_planner_result_cleanup(&a);
  hp_planner_result_cleanup(&b);
  hp_scenario_cleanup(&s);
  hp_planfile_free(pf);
  hp_planfile_free(base);
}

/* A model file is read once: the plan as loaded and every copy a sweep
 * binds (the key checks, the workers' copies for a key set by binding)
 * share what was read. Here the file is broken once the plan has loaded,
 * and the sweep still runs, over a key set directly and one bound again
 * (before, each re-binding read the file again: the run failed). */
static void model_file_read_once(void **state) {
  (void)state;
  char dir[] = "/tmp/hp_wi_modelXXXXXX";
  assert_non_null(mkdtemp(dir));
  char mdir[64], model[96], plan[96];
  snprintf(mdir, sizeof mdir, "%s/models", dir);
  snprintf(model, sizeof model, "%s/tiny.yaml", mdir);
  snprintf(plan, sizeof plan, "%s/p.yaml", dir);
  assert_int_equal(mkdir(mdir, 0700), 0);
  FILE *f = fopen(model, "w");
  assert_non_null(f);
  fputs("name: tiny\nparams: 5e11\nsources: {params: test}\n", f);
  fclose(f);
  const char *text = "name: t\n"
                     "defaults:\n"
                     "  workload: {model: {name: tiny}, tokens_per_day: "
                     "8.64e7}\n"
                     "  mfu: 0.5\n"
                     "  devices: [alpha-a, beta-b]\n"
                     "scenarios: [{name: a}, {name: b}]\n";
  hp_planfile *pf = NULL;
  hp_diag d;
  assert_int_equal(
      hp_planfile_parse(text, strlen(text), plan, fix_cat, &pf, &d), HP_OK);
  assert_string_equal(hp_planfile_scenario(pf, 1)->model.name, "tiny");
  /* Read again, the file would now fail to load. */
  assert_non_null(f = fopen(model, "w"));
  fputs("name: [tiny\n", f);
  fclose(f);
  static const char *const axes[] = {"workload.tokens_per_day=4e7:1.2e8:4e7",
                                     "workload.peak_factor=1:3:1"};
  for (int k = 0; k < 2; k++) {
    hp_wi_axis a;
    assert_int_equal(hp_wi_axis_parse(axes[k], &a, &d), HP_OK);
    hp_wi_opts o = {2, NULL, NULL, NULL, 0};
    hp_wi_table *t = NULL;
    int rc = hp_wi_sweep_plan(pf, fix_cat, &a, 1, &o, &t, &d);
    if (rc != HP_OK)
      print_error("%s\n", d.msg);
    assert_int_equal(rc, HP_OK);
    assert_int_equal(t->n_rows, 6);
    assert_int_equal(t->n_error, 0);
    hp_wi_table_free(t);
    hp_wi_axis_cleanup(&a);
  }
  /* The copy a Monte Carlo run checks its keys on reads nothing either. */
  hp_planfile *q = NULL;
  assert_int_equal(hp_planfile_dup(pf, &q, &d), HP_OK);
  assert_int_equal(hp_planfile_set_number(q, "workload.peak_factor", 2, &d),
                   HP_OK);
  assert_int_equal(hp_planfile_scenario(q, 0)->peak_factor, 2);
  hp_planfile_free(pf); /* the copy keeps what was read */
  assert_string_equal(hp_planfile_scenario(q, 1)->model.name, "tiny");
  hp_planfile_free(q);
  assert_int_equal(unlink(model), 0);
  assert_int_equal(rmdir(mdir), 0);
  assert_int_equal(rmdir(dir), 0);
}

/* Every figure a solve reads of a and b's cards, and the roofline's knobs,
 * are the same. */
static void same_cands(const hp_scenario *a, const hp_scenario *b) {
  assert_int_equal(a->n_cands, b->n_cands);
  assert_memory_equal(&a->roof, &b->roof, sizeof a->roof);
  for (size_t i = 0; i < a->n_cands; i++) {
    const hp_candidate *x = &a->cands[i], *y = &b->cands[i];
    assert_string_equal(x->spec.id, y->spec.id);
    assert_true(x->mfu == y->mfu);
    assert_true(x->mbu == y->mbu);
    assert_int_equal(x->eff_default, y->eff_default);
    assert_int_equal(x->mbu_plan, y->mbu_plan);
    assert_int_equal(x->measured, y->measured);
    assert_string_equal(x->mfu_from ? x->mfu_from : "",
                        y->mfu_from ? y->mfu_from : "");
    assert_memory_equal(x->spec.fig, y->spec.fig, sizeof x->spec.fig);
    assert_memory_equal(x->spec.conf, y->spec.conf, sizeof x->spec.conf);
    assert_true(x->spec.price_hour_cny == y->spec.price_hour_cny);
    assert_string_equal(x->spec.price_as_of ? x->spec.price_as_of : "-",
                        y->spec.price_as_of ? y->spec.price_as_of : "-");
  }
}

/* hp_scenario_set on a copy of the bound scenario against binding the plan
 * again with the key (hp_planfile_set_number), solved alike: the plan's
 * mfu and mbu (where no override or profile took precedence: the H20's
 * override keeps its own mfu), a card's override, and the roofline's
 * knobs; 50 points of mfu. A roofline plan over three shipped cards. */
static void set_keys_as_binding(void **state) {
  (void)state;
  const char *text =
      "name: t\n"
      "defaults:\n"
      "  demand_model: roofline\n"
      "  workload:\n"
      "    model: {name: dense-130b}\n"
      "    tokens_per_day: 4.0e12\n"
      "    peak_factor: 4\n"
      "    slo: {ttft_ms: 2000, tpot_ms: 50}\n"
      "    requests:\n"
      "      - {name: chat, share: 0.7, input_tokens: 1200, output_tokens: "
      "300}\n"
      "      - {name: doc, share: 0.3, input_tokens: 6000, output_tokens: "
      "400}\n"
      "  mfu: 0.5\n"
      "  mbu: 0.8\n"
      "  devices: [nvidia-h20, huawei-ascend-910c, cambricon-mlu590]\n"
      "  overrides: {nvidia-h20: {price_server_cny: 1.2e6, mfu: 0.45}}\n"
      "  roofline: {memory_fraction: 0.9, overlap: 0.2, pcie_gbps: 32}\n"
      "  constraints: {domestic_share: {min: 0.3, basis: compute}}\n"
      "scenarios:\n"
      "  - name: a\n"
      "  - name: b\n"
      "    constraints: {domestic_share: {min: 0}}\n";
  hp_planfile *pf = NULL;
  hp_diag d;
  int rc = hp_planfile_parse(text, strlen(text), HP_SOURCE_DIR "/plans/t.yaml",
                             real_cat, &pf, &d);
  if (rc != HP_OK)
    print_error("%s\n", d.msg);
  assert_int_equal(rc, HP_OK);
  static const struct {
    const char *key;
    double start, step;
    int n;
  } keys[] = {{"mfu", 0.3, 0.01, 50},
              {"mbu", 0.5, 0.1, 5},
              {"overrides.nvidia-h20.mfu", 0.3, 0.1, 5},
              {"overrides.nvidia-h20.price_server_cny", 6e5, 3e5, 5},
              {"roofline.memory_fraction", 0.5, 0.1, 5},
              {"roofline.overlap", 0, 0.25, 5},
              {"roofline.pcie_gbps", 8, 16, 5},
              /* Overrides the plan does not write, added as binding would
               * add them: a price (its catalog date then dropped), an
               * efficiency over the plan's, a figure. */
              {"overrides.huawei-ascend-910c.price_server_cny", 1e6, 5e5, 5},
              {"overrides.cambricon-mlu590.mfu", 0.2, 0.15, 5},
              {"overrides.cambricon-mlu590.mbu", 0.5, 0.1, 5},
              {"overrides.huawei-ascend-910c.memory_bw_tbps", 1, 0.5, 5}};
  const char *vend[64];
  size_t nv = 0;
  for (size_t i = 0; i < hp_catalog_count(real_cat) && nv < 64; i++) {
    const char *v = hp_catalog_at(real_cat, i)->vendor;
    size_t j = 0;
    while (j < nv && strcmp(vend[j], v) != 0)
      j++;
    if (j == nv)
      vend[nv++] = v;
  }
  double vc[2][64], vs[2][64], vx[2][64];
  for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
    assert_true(hp_scenario_set_planfile_takes(pf, keys[k].key));
    for (int p = 0; p < keys[k].n; p++) {
      double v = keys[k].start + p * keys[k].step;
      hp_planfile *q = NULL;
      assert_int_equal(hp_planfile_dup(pf, &q, &d), HP_OK);
      assert_int_equal(hp_planfile_set_number(q, keys[k].key, v, &d), HP_OK);
      for (size_t i = 0; i < hp_planfile_count(pf); i++) {
        hp_scenario c;
        assert_int_equal(hp_scenario_set_copy(&c, hp_planfile_scenario(pf, i)),
                         HP_OK);
        assert_int_equal(hp_scenario_set(&c, keys[k].key, v, &d), HP_OK);
        same_cands(&c, hp_planfile_scenario(q, i));
        hp_wi_row r[2];
        assert_int_equal(
            hp_wi_solve_row(&c, vend, nv, &r[0], vc[0], vs[0], vx[0], &d),
            HP_OK);
        assert_int_equal(hp_wi_solve_row(hp_planfile_scenario(q, i), vend, nv,
                                         &r[1], vc[1], vs[1], vx[1], &d),
                         HP_OK);
        if (r[0].status != r[1].status || r[0].capex_cny != r[1].capex_cny ||
            r[0].tco_cny != r[1].tco_cny || r[0].cards != r[1].cards)
          print_error("%s = %g, scenario %zu: set %d %.17g, bound %d %.17g\n",
                      keys[k].key, v, i, (int)r[0].status, r[0].capex_cny,
                      (int)r[1].status, r[1].capex_cny);
        assert_int_equal(r[0].status, r[1].status);
        assert_true(r[0].capex_cny == r[1].capex_cny);
        assert_true(r[0].tco_cny == r[1].tco_cny);
        assert_true(r[0].cards == r[1].cards);
        assert_memory_equal(vc[0], vc[1], nv * sizeof vc[0][0]);
        hp_free(r[0].error_msg);
        hp_free(r[1].error_msg);
        hp_scenario_cleanup(&c);
      }
      hp_planfile_free(q);
    }
  }
  hp_planfile_free(pf);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(axis_grid_points),
      cmocka_unit_test(sweep_key_paths),
      cmocka_unit_test(sweep_bad_path_named),
      cmocka_unit_test(sweep_points_limit),
      cmocka_unit_test(lean_solve_matches_planner),
      cmocka_unit_test(sweep_warm_reuse_is_exact),
      cmocka_unit_test(sweep_mip_gap_bounded),
      cmocka_unit_test(tco_arithmetic_by_hand),
      cmocka_unit_test(max_tokens_cost_by_hand),
      cmocka_unit_test(mc_same_with_1_and_2_threads),
      cmocka_unit_test(mc_percentiles_closed_form),
      cmocka_unit_test(mc_infeasible_counted),
      cmocka_unit_test(mc_invalid_samples_counted),
      cmocka_unit_test(dist_moments),
      cmocka_unit_test(stats_quantiles_by_hand),
      cmocka_unit_test(uncertain_errors_with_marks),
      cmocka_unit_test(batch_goes_on_past_a_broken_plan),
      cmocka_unit_test(renderers_carry_units),
      cmocka_unit_test(sweep_json_reads_back),
      cmocka_unit_test(mc_hist_one_value),
      cmocka_unit_test(set_keys_as_binding),
      cmocka_unit_test(sweep_spooled_same_as_memory),
      cmocka_unit_test(sweep_spool_full_window),
      cmocka_unit_test(mc_summaries_from_the_engine),
      cmocka_unit_test(solve_opts_lean_and_warm),
      cmocka_unit_test(scenario_set_matches_binding),
      cmocka_unit_test(scenario_copy_owns_services),
      cmocka_unit_test(model_file_read_once),
  };
  return cmocka_run_group_tests(tests, catalogs_setup, catalogs_teardown);
}
