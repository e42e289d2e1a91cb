/* test_planner.c - the planner and its GLPK solver.
 *
 *  - the seed report's Figure 11, to the cent;
 *  - one hand-checked case per constraint, on a fixture catalog with round
 *    numbers (tests/data/catalog: 100 tokens/s per alpha-a server, ...);
 *  - infeasibility explanations, word by word;
 *  - 200+ random small programs whose GLPK optimum must equal an exhaustive
 *    enumeration written here (the second implementation of the solver);
 *  - 300 random scenarios whose optimum must equal an enumeration that
 *    judges every constraint from the scenario's figures, not from the
 *    rows hp_planner_build wrote (the second implementation of the
 *    formulation);
 *  - headroom under the roofline model, as more demand.
 */
#define _POSIX_C_SOURCE 200809L /* mkdtemp */
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
#include "planner.h"
#include "scenario.h"
#include "solver.h"

#include "test_catalogs.h"

static hp_plan *solve_text(const char *text, const hp_catalog *cat) {
  hp_planfile *pf = NULL;
  hp_plan *plan = NULL;
  hp_diag d;
  hp_diag_clear(&d);
  int rc = hp_planfile_parse(text, strlen(text), "t.yaml", cat, &pf, &d);
  if (rc != HP_OK)
    print_error("%s:%d:%d: %s\n", d.file, d.line, d.column, d.msg);
  assert_int_equal(rc, HP_OK);
  assert_int_equal(hp_plan_solve(pf, cat, &plan, &d), HP_OK);
  hp_planfile_free(pf);
  return plan;
}

/* ----------------------------------------------------------------------------
 * Figure 11
 * ------------------------------------------------------------------------- */

static void doubao_figure11_to_the_cent(void **state) {
  (void)state;
  hp_planfile *pf = NULL;
  hp_plan *plan = NULL;
  hp_diag d;
  assert_int_equal(hp_planfile_load(HP_SOURCE_DIR
                                    "/plans/doubao-minsheng-2024.yaml",
                                    real_cat, &pf, &d),
                   HP_OK);
  assert_int_equal(hp_plan_solve(pf, real_cat, &plan, &d), HP_OK);
  const char *names[] = {"end-2024", "conservative", "neutral", "optimistic"};
  /* The report's rows, in 10k cards and 100M CNY, in cents. */
  const long cards_cents[] = {4338, 7229, 10844, 18074};
  const long capex_cents[] = {45546, 75909, 113864, 189773};
  const double flops[] = {3.20988e19, 5.34979e19, 8.02469e19, 1.33745e20};
  for (int i = 0; i < 4; i++) {
    const hp_scenario_result *r = hp_plan_at(plan, (size_t)i);
    assert_string_equal(r->name, names[i]);
    assert_int_equal(r->status, HP_RESULT_OPTIMAL);
    assert_int_equal(lround(r->cards / 1e4 * 100), cards_cents[i]);
    assert_int_equal(lround(r->capex_cny / 1e8 * 100), capex_cents[i]);
    /* The FLOPS row as printed (6 significant digits). */
    assert_true(fabs(r->demand_flops / flops[i] - 1) < 5e-6);
    assert_int_equal(r->n_lines, 1);
    assert_string_equal(r->lines[0].device, "nvidia-h20");
    assert_int_equal(r->n_vendors, 1);
    assert_string_equal(r->vendors[0].vendor, "NVIDIA");
    assert_true(r->domestic_share_compute == 0);
  }
  /* Closed form of end-2024: 4e12/129600*4*2*130e9/(148e12*0.5) cards. */
  double cards = 4e12 / 129600 * 4 * 2 * 130e9 / (148e12 * 0.5);
  const hp_scenario_result *r = hp_plan_at(plan, 0);
  assert_true(fabs(r->cards / cards - 1) < 1e-9);
  assert_true(fabs(r->capex_cny / (cards / 8 * 840000) - 1) < 1e-9);
  /* Whole servers round up. */
  r = hp_plan_at(plan, 4);
  assert_string_equal(r->name, "end-2024-whole-servers");
  assert_true(r->servers == ceil(cards / 8));
  assert_true(r->capex_cny == ceil(cards / 8) * 840000);
  hp_plan_free(plan);
  hp_planfile_free(pf);
}

/* ----------------------------------------------------------------------------
 * Hand-checked constraints on the fixture catalog
 * ------------------------------------------------------------------------- */

/* 1000 tokens/s at peak; 100 tokens/s per alpha-a or beta-b server. */
#define HEAD                                                                   \
  "name: t\n"                                                                  \
  "defaults:\n"                                                                \
  "  workload: {model: {params: 5e11}, tokens_per_day: 8.64e7}\n"              \
  "  mfu: 0.5\n"                                                               \
  "scenarios:\n"                                                               \
  "  - name: s\n"

static double servers_of(const hp_scenario_result *r, const char *id) {
  for (size_t i = 0; i < r->n_lines; i++)
    if (strcmp(r->lines[i].device, id) == 0)
      return r->lines[i].servers;
  return 0;
}

typedef struct hand_case {
  const char *body;   /* scenario keys */
  double capex;       /* expected optimum, CNY */
  const char *ids[3]; /* expected servers per SKU */
  double servers[3];
} hand_case;

static void hand_checked_constraints(void **state) {
  (void)state;
  const hand_case cases[] = {
      /* no constraint: the cheapest per token/s */
      {"    devices: [alpha-a, beta-b]\n", 1e7, {"alpha-a"}, {10}},
      /* domestic share on compute */
      {"    devices: [alpha-a, beta-b]\n"
       "    constraints: {domestic_share: {min: 0.3}}\n",
       1.3e7,
       {"alpha-a", "beta-b"},
       {7, 3}},
      /* on cards: met with the weakest cheap card */
      {"    devices: [alpha-a, beta-c]\n"
       "    constraints: {domestic_share: {min: 0.3, basis: cards}}\n",
       1.05e7,
       {"alpha-a", "beta-c"},
       {9, 5}},
      /* the same share on compute costs more */
      {"    devices: [alpha-a, beta-c]\n"
       "    constraints: {domestic_share: {min: 0.3, basis: compute}}\n",
       1.15e7,
       {"alpha-a", "beta-c"},
       {7, 15}},
      /* a domestic ceiling, when domestic is the cheaper card */
      {"    devices: [alpha-a, gamma-d]\n"
       "    overrides: {gamma-d: {price_server_cny: 1.0e6}}\n"
       "    constraints: {domestic_share: {max: 0.5}}\n",
       8e6,
       {"alpha-a", "gamma-d"},
       {6, 2}},
      /* a supply cap per SKU (cards) */
      {"    devices: [alpha-a, beta-b]\n"
       "    constraints: {caps: {alpha-a: 40}}\n",
       1.5e7,
       {"alpha-a", "beta-b"},
       {5, 5}},
      /* a cap per vendor */
      {"    devices: [alpha-a, beta-b]\n"
       "    constraints: {caps: {vendor.Alpha: 56}}\n",
       1.3e7,
       {"alpha-a", "beta-b"},
       {7, 3}},
      /* power: 8.32 kW per alpha-a server, 10.4 per gamma-d (PUE 1.3) */
      {"    devices: [alpha-a, gamma-d]\n"
       "    constraints: {power_mw: 0.06}\n",
       1.4e7,
       {"alpha-a", "gamma-d"},
       {2, 4}},
      /* no vendor above 60% of throughput */
      {"    devices: [alpha-a, beta-b]\n"
       "    constraints: {max_vendor_share: 0.6}\n",
       1.4e7,
       {"alpha-a", "beta-b"},
       {6, 4}},
      /* excluded vendor */
      {"    devices: [alpha-a, beta-b]\n"
       "    constraints: {exclude_vendors: [Alpha]}\n",
       2e7,
       {"beta-b"},
       {10}},
      /* headroom */
      {"    devices: [alpha-a]\n"
       "    constraints: {headroom: 0.2}\n",
       1.2e7,
       {"alpha-a"},
       {12}},
      /* whole cards: 1050 tokens/s = 84 cards of 12.5 tokens/s */
      {"    devices: [alpha-a]\n"
       "    granularity: card\n"
       "    workload: {tokens_per_day: 9.072e7}\n",
       1.05e7,
       {"alpha-a"},
       {10.5}},
      /* the same in whole servers */
      {"    devices: [alpha-a]\n"
       "    workload: {tokens_per_day: 9.072e7}\n",
       1.1e7,
       {"alpha-a"},
       {11}},
      /* fractional servers */
      {"    devices: [alpha-a]\n"
       "    granularity: fractional\n"
       "    workload: {tokens_per_day: 9.072e7}\n",
       1.05e7,
       {"alpha-a"},
       {10.5}},
      /* half the capex domestic: 3e5 x beta-c >= 1e6 x alpha-a, so 6 + 20
       * serve 600 + 400 tokens/s for 6e6 + 6e6 (5 + 25 cost 1.25e7,
       * 4 + 30 1.3e7, 7 + 24 1.42e7). On cards the same share would be
       * 8 + 10 (1.1e7). */
      {"    devices: [alpha-a, beta-c]\n"
       "    constraints: {domestic_share: {min: 0.5, basis: capex}}\n",
       1.2e7,
       {"alpha-a", "beta-c"},
       {6, 20}},
      /* the vendor ceiling weighs tokens/s: Alpha may carry 600 of 1000
       * tokens/s, the 200-tokens/s gamma-d server the rest (6 + 2). On
       * cards the ceiling would need 4 + 3 (1.3e7). */
      {"    devices: [alpha-a, gamma-d]\n"
       "    constraints: {max_vendor_share: 0.6}\n",
       1.2e7,
       {"alpha-a", "gamma-d"},
       {6, 2}},
      /* a floor and a ceiling together: each row keeps its own share. At
       * most 0.5 domestic means 2 alpha-a per gamma-d; 6 + 2 carry 0.4
       * (4 + 3 would carry 0.6). Were both rows the floor, only 0.1
       * exactly would do (18 + 1, 1.9e7). */
      {"    devices: [alpha-a, gamma-d]\n"
       "    overrides: {gamma-d: {price_server_cny: 1.0e6}}\n"
       "    constraints: {domestic_share: {min: 0.1, max: 0.5}}\n",
       8e6,
       {"alpha-a", "gamma-d"},
       {6, 2}},
      /* a limit equal to what the plan needs: 10 x 8 x 800 W x 1.3 is
       * 0.0832 MW, but 0.0832 / 0.00832 is 9.999999999999998 in doubles,
       * and the presolve's bound must still be 10 servers */
      {"    devices: [alpha-a]\n"
       "    constraints: {power_mw: 0.0832}\n",
       1e7,
       {"alpha-a"},
       {10}},
      /* the same in cards: 0.0832 / 0.00104 is 79.99999999999999 */
      {"    devices: [alpha-a]\n"
       "    granularity: card\n"
       "    constraints: {power_mw: 0.0832}\n",
       1e7,
       {"alpha-a"},
       {10}},
      /* a card cap equal to the plan's 80 cards (server and card
       * granularity). Whole cards divide exactly (80 / 8 is 10; a card is
       * 8 x (1 / 8) = 1 card): no quotient of a cap rounds below, so
       * the power rows above are the rounding cases. */
      {"    devices: [alpha-a]\n"
       "    constraints: {caps: {alpha-a: 80}}\n",
       1e7,
       {"alpha-a"},
       {10}},
      {"    devices: [alpha-a]\n"
       "    granularity: card\n"
       "    constraints: {caps: {vendor.Alpha: 80}}\n",
       1e7,
       {"alpha-a"},
       {10}},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    char text[2048];
    snprintf(text, sizeof text, "%s%s", HEAD, cases[k].body);
    hp_plan *plan = solve_text(text, fix_cat);
    const hp_scenario_result *r = hp_plan_at(plan, 0);
    if (r->status != HP_RESULT_OPTIMAL ||
        fabs(r->capex_cny - cases[k].capex) > 1e-3)
      print_error("case %zu: status %d capex %.17g explanation %s\n", k,
                  r->status, r->capex_cny,
                  r->explanation ? r->explanation : "");
    assert_int_equal(r->status, HP_RESULT_OPTIMAL);
    assert_true(fabs(r->capex_cny - cases[k].capex) < 1e-3);
    for (int i = 0; i < 3 && cases[k].ids[i]; i++)
      assert_true(fabs(servers_of(r, cases[k].ids[i]) - cases[k].servers[i]) <
                  1e-9);
    hp_plan_free(plan);
  }
}

static void max_tokens_within_budget(void **state) {
  (void)state;
  hp_plan *plan = solve_text(HEAD "    devices: [alpha-a, gamma-d]\n"
                                  "    objective: max_tokens\n"
                                  "    constraints: {budget_cny: 1.05e7}\n",
                             fix_cat);
  const hp_scenario_result *r = hp_plan_at(plan, 0);
  assert_int_equal(r->status, HP_RESULT_OPTIMAL);
  assert_true(fabs(r->delivered_tokens_per_s - 1000) < 1e-6);
  assert_true(r->capex_cny <= 1.05e7);
  hp_plan_free(plan);
}

static void shares_reported_on_all_bases(void **state) {
  (void)state;
  hp_plan *plan = solve_text(
      HEAD "    devices: [alpha-a, beta-c]\n"
           "    constraints: {domestic_share: {min: 0.3, basis: cards}}\n",
      fix_cat);
  const hp_scenario_result *r = hp_plan_at(plan, 0);
  /* 9 alpha-a (900 tokens/s, 9e6 CNY) + 5 beta-c (100 tokens/s, 1.5e6). */
  assert_true(fabs(r->domestic_share_cards - 5.0 / 14) < 1e-12);
  assert_true(fabs(r->domestic_share_compute - 100.0 / 1000) < 1e-12);
  assert_true(fabs(r->domestic_share_capex - 1.5 / 10.5) < 1e-12);
  hp_plan_free(plan);
  /* Half the capex: 6 alpha-a (600 tokens/s, 48 cards, 6e6 CNY) + 20 beta-c
   * (400 tokens/s, 160 cards, 6e6 CNY). */
  plan = solve_text(
      HEAD "    devices: [alpha-a, beta-c]\n"
           "    constraints: {domestic_share: {min: 0.5, basis: capex}}\n",
      fix_cat);
  r = hp_plan_at(plan, 0);
  assert_int_equal(r->status, HP_RESULT_OPTIMAL);
  assert_true(r->capex_cny == 1.2e7);
  assert_true(fabs(r->domestic_share_compute - 0.4) < 1e-12);
  assert_true(fabs(r->domestic_share_cards - 160.0 / 208) < 1e-12);
  assert_true(fabs(r->domestic_share_capex - 0.5) < 1e-12);
  hp_plan_free(plan);
}

/* ----------------------------------------------------------------------------
 * Infeasibility explained, word by word
 * ------------------------------------------------------------------------- */

static void expect_explanation(const char *body, const char *want) {
  char text[2048];
  snprintf(text, sizeof text, "%s%s", HEAD, body);
  hp_plan *plan = solve_text(text, fix_cat);
  const hp_scenario_result *r = hp_plan_at(plan, 0);
  assert_int_equal(r->status, HP_RESULT_INFEASIBLE);
  assert_non_null(r->explanation);
  if (strcmp(r->explanation, want) != 0)
    print_error("got:  %s\nwant: %s\n", r->explanation, want);
  assert_string_equal(r->explanation, want);
  hp_plan_free(plan);
}

/* Share figures are sharpened to whole cards: the continuous relaxation
 * says 0.53 here, but whole cards need 10 of 13 (0.769) on one vendor, and
 * a ceiling of 0.77 is the first that is feasible. */
static void share_figure_on_whole_cards(void **state) {
  (void)state;
  const char *text =
      "name: t\n"
      "scenarios:\n"
      "  - name: s\n"
      "    devices: [beta-b, gamma-d]\n"
      "    granularity: card\n"
      "    objective: tco\n"
      "    workload: {model: {params: 1.0e12}, tokens_per_day: 5561000}\n"
      "    constraints: {headroom: 0.2, budget_cny: 2683000, caps: {gamma-d: "
      "5}, max_vendor_share: 0.53}\n";
  hp_plan *plan = solve_text(text, fix_cat);
  const hp_scenario_result *r = hp_plan_at(plan, 0);
  assert_int_equal(r->status, HP_RESULT_INFEASIBLE);
  if (!strstr(r->explanation, "carry at least 0.77 of the throughput"))
    print_error("got: %s\n", r->explanation);
  assert_non_null(strstr(r->explanation, "carry at least 0.77 of the "
                                         "throughput"));
  hp_plan_free(plan);
}

static void infeasible_explained(void **state) {
  (void)state;
  expect_explanation(
      "    devices: [alpha-a, beta-b]\n"
      "    granularity: fractional\n"
      "    constraints: {domestic_share: {min: 0.8}, caps: {beta-b: 32.8}}\n",
      "constraints.domestic_share.min 0.80 (compute basis) is unreachable: "
      "the other constraints allow a domestic share of at most 0.41 "
      "(domestic cards can serve at most 0.41 of demand); supply caps allow "
      "at most 512.5 tokens/s with domestic_share.min kept, 0.51 of the "
      "required 1,000 tokens/s");
  expect_explanation("    devices: [alpha-a]\n"
                     "    constraints: {budget_cny: 5e6}\n",
                     "constraints.budget_cny 5,000,000 CNY is too low: the "
                     "cheapest plan that meets the other constraints costs "
                     "10,000,000 CNY");
  expect_explanation("    devices: [alpha-a]\n"
                     "    constraints: {power_mw: 0.05}\n",
                     "constraints.power_mw 0.05 MW is too low: meeting the "
                     "other constraints needs at least 0.0832 MW");
  expect_explanation("    devices: [alpha-a]\n"
                     "    constraints: {caps: {alpha-a: 40}}\n",
                     "supply caps allow at most 500 tokens/s, 0.50 of the "
                     "required 1,000 tokens/s");
  /* Large throughputs are grouped as in the reports. */
  expect_explanation("    devices: [alpha-a]\n"
                     "    workload: {tokens_per_day: 8.64e10}\n"
                     "    constraints: {caps: {alpha-a: 40000}}\n",
                     "supply caps allow at most 500,000 tokens/s, 0.50 of the "
                     "required 1,000,000 tokens/s");
  expect_explanation("    devices: [alpha-a]\n"
                     "    constraints: {exclude_vendors: [Alpha]}\n",
                     "no device is left to buy: constraints.exclude_vendors "
                     "removes every candidate");
  expect_explanation("    devices: [alpha-a, beta-b]\n"
                     "    granularity: fractional\n"
                     "    constraints: {max_vendor_share: 0.4}\n",
                     "constraints.max_vendor_share 0.40 is too low: the other "
                     "constraints need one vendor to carry at least 0.50 of "
                     "the throughput");
  /* A cap of exactly one server buys that server; only a cap of fewer
   * cards than a server is named as buying none. */
  expect_explanation("    devices: [alpha-a, beta-b]\n"
                     "    constraints: {caps: {alpha-a: 8, beta-b: 3}}\n",
                     "supply caps allow at most 100 tokens/s, 0.10 of the "
                     "required 1,000 tokens/s; whole servers only "
                     "(granularity: server): beta-b capped at 3 cards, below "
                     "one server of 8 cards");
  expect_explanation("    devices: [alpha-a, beta-b]\n"
                     "    constraints: {caps: {alpha-a: 40, beta-b: 16},"
                     " power_mw: 0.01}\n",
                     "no single constraint is to blame; together caps, "
                     "power_mw allow at most 100 tokens/s, 0.10 of the "
                     "required 1,000 tokens/s");
}

/* ----------------------------------------------------------------------------
 * Random programs against exhaustive enumeration
 * ------------------------------------------------------------------------- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;
static double urand(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (double)(rng_state >> 11) / 9007199254740992.0;
}
static int irand(int lo, int hi) { return lo + (int)(urand() * (hi - lo + 1)); }

/* The second implementation: tries every integer point of the box. */
static int enumerate(const hp_ip *ip, double *best, double *best_x,
                     double *worst_x) {
  size_t n = ip->n_cols;
  int x[8] = {0};
  int found = 0;
  double worst = 0;
  for (;;) {
    int ok = 1;
    for (size_t i = 0; i < ip->n_rows && ok; i++) {
      double v = 0;
      for (size_t j = 0; j < n; j++)
        v += ip->rows[i].a[j] * x[j];
      double tol = 1e-7 * (1 + fabs(v));
      if (v < ip->rows[i].lo - tol || v > ip->rows[i].hi + tol)
        ok = 0;
    }
    if (ok) {
      double o = 0;
      for (size_t j = 0; j < n; j++)
        o += ip->obj[j] * x[j];
      if (!found || (ip->maximize ? o > *best : o < *best)) {
        *best = o;
        for (size_t j = 0; j < n; j++)
          best_x[j] = x[j];
      }
      if (!found || (ip->maximize ? o < worst : o > worst)) {
        worst = o;
        for (size_t j = 0; j < n; j++)
          worst_x[j] = x[j];
      }
      found = 1;
    }
    size_t j = 0;
    while (j < n && x[j] >= (int)ip->ub[j]) {
      x[j] = 0;
      j++;
    }
    if (j == n)
      break;
    x[j]++;
  }
  return found;
}

/* The presolve (ip_presolve.c): singleton rows become bounds, twin columns
 * merge, and the merged value is split in column order. */
static void presolve_twins_and_singletons(void **state) {
  (void)state;
  /* min 5a + 5b + 7c  s.t.  3a + 3b + 4c >= 25,  2a <= 8 (a <= 4),
   * 2b <= 13 (b <= 6), c <= 1: a and b are twins once their caps are
   * bounds. Nine of a/b (27 >= 25) cost 45; seven of a/b and the one c
   * (21 + 4 = 25) cost 42, the optimum, split a = 4 (full), b = 3. */
  hp_ip ip;
  assert_int_equal(hp_ip_init(&ip, 3), HP_OK);
  double obj[3] = {5, 5, 7};
  for (size_t j = 0; j < 3; j++) {
    ip.obj[j] = obj[j];
    ip.is_int[j] = 1;
  }
  double r0[3] = {3, 3, 4}, r1[3] = {2, 0, 0}, r2[3] = {0, 2, 0},
         r3[3] = {0, 0, 1};
  assert_int_equal(hp_ip_add_row(&ip, "demand", r0, 25, HUGE_VAL, NULL), HP_OK);
  assert_int_equal(hp_ip_add_row(&ip, "caps.a", r1, -HUGE_VAL, 8, NULL), HP_OK);
  assert_int_equal(hp_ip_add_row(&ip, "caps.b", r2, -HUGE_VAL, 13, NULL),
                   HP_OK);
  assert_int_equal(hp_ip_add_row(&ip, "caps.c", r3, -HUGE_VAL, 1, NULL), HP_OK);

  hp_ip_presolved p;
  assert_int_equal(hp_ip_presolve(&ip, &p), HP_OK);
  assert_int_equal(p.infeasible, 0);
  assert_int_equal(p.ip.n_cols, 2); /* a and b merged */
  assert_int_equal(p.ip.n_rows, 1); /* only the demand row is left */
  assert_int_equal(p.rep[0], p.rep[1]);
  assert_true(p.ip.ub[p.rep[0]] == 10); /* 4 + floor(6.5) */
  assert_true(p.ip.ub[p.rep[2]] == 1);
  hp_ip_presolve_cleanup(&p);

  hp_ip_solution sol;
  hp_diag d;
  assert_int_equal(hp_solver_glpk_solve(&ip, &sol, &d), HP_OK);
  assert_int_equal(sol.status, HP_SOL_OPTIMAL);
  assert_true(sol.objective == 42);
  assert_true(sol.x[0] == 4 && sol.x[1] == 3 && sol.x[2] == 1);
  hp_ip_solution_cleanup(&sol);

  /* 2c >= 3 and 2c <= 3 leave no integer c: infeasible in the presolve. */
  double r4[3] = {0, 0, 2};
  assert_int_equal(hp_ip_add_row(&ip, "odd", r4, 3, 3, NULL), HP_OK);
  assert_int_equal(hp_ip_presolve(&ip, &p), HP_OK);
  assert_int_equal(p.infeasible, 1);
  hp_ip_presolve_cleanup(&p);
  assert_int_equal(hp_solver_glpk_solve(&ip, &sol, &d), HP_OK);
  assert_int_equal(sol.status, HP_SOL_INFEASIBLE);
  hp_ip_solution_cleanup(&sol);
  hp_ip_cleanup(&ip);

  /* 0.3 x >= 0.1 and 3 x <= 1 cross by one rounding (0.1 / 0.3 is
   * 0.33333333333333337, 1 / 3 is 0.3333333333333333): fixed, not
   * infeasible. */
  assert_int_equal(hp_ip_init(&ip, 1), HP_OK);
  ip.obj[0] = 1;
  double c0[1] = {0.3}, c1[1] = {3};
  assert_int_equal(hp_ip_add_row(&ip, "lo", c0, 0.1, HUGE_VAL, NULL), HP_OK);
  assert_int_equal(hp_ip_add_row(&ip, "hi", c1, -HUGE_VAL, 1, NULL), HP_OK);
  assert_int_equal(hp_solver_glpk_solve(&ip, &sol, &d), HP_OK);
  assert_int_equal(sol.status, HP_SOL_OPTIMAL);
  assert_true(fabs(sol.x[0] - 1.0 / 3) < 1e-12);
  hp_ip_solution_cleanup(&sol);
  hp_ip_cleanup(&ip);
}

/* With a start, the solver deletes the columns the root reduced costs price
 * out (solver_glpk.c, drop_priced_out) and puts them back at their lower
 * bound, which need not be 0. min x0 + 100 x1 + 3 x2 over
 * x0 + x1 + 2 x2 >= 7.5, x0 <= 4, 2 <= x1 <= 10, all integer: the LP bound
 * is 206.25 (x2 = 0.75), the optimum x = (4, 2, 1) at 207; x1's reduced
 * cost (98.5) exceeds any start's gap here. The same as a maximisation. */
static void start_prices_out_columns(void **state) {
  (void)state;
  for (int maximize = 0; maximize <= 1; maximize++) {
    hp_ip ip;
    hp_diag d;
    assert_int_equal(hp_ip_init(&ip, 3), HP_OK);
    double sign = maximize ? -1 : 1, a[3] = {1, 1, 2};
    ip.maximize = maximize;
    ip.obj[0] = sign * 1;
    ip.obj[1] = sign * 100;
    ip.obj[2] = sign * 3;
    ip.ub[0] = 4;
    ip.lb[1] = 2;
    ip.ub[1] = 10;
    ip.ub[2] = HUGE_VAL;
    for (size_t j = 0; j < 3; j++)
      ip.is_int[j] = 1;
    assert_int_equal(hp_ip_add_row(&ip, "demand", a, 7.5, HUGE_VAL, NULL),
                     HP_OK);
    const double start[3] = {0, 2, 3}; /* feasible, 209 */
    for (int h = 0; h < 2; h++) {
      hp_ip_solution sol;
      ip.hint = h ? start : NULL;
      assert_int_equal(hp_solver_glpk_solve(&ip, &sol, &d), HP_OK);
      assert_int_equal(sol.status, HP_SOL_OPTIMAL);
      assert_true(fabs(sol.objective - sign * 207) < 1e-9);
      assert_true(sol.x[0] == 4 && sol.x[1] == 2 && sol.x[2] == 1);
      hp_ip_solution_cleanup(&sol);
    }
    ip.hint = NULL;
    hp_ip_cleanup(&ip);
  }
}

/* A covering knapsack with nearly equal price ratios, which GLPK needs
 * thousands of nodes to prove, stopped at node limits below that: each
 * answer is a feasible point with its true objective, the bound brackets
 * the optimum with it, and more nodes never give a worse point (the
 * incumbent is carried from turn to turn). Both directions. */
static void node_limit_keeps_best_and_bound(void **state) {
  (void)state;
  for (int maximize = 0; maximize <= 1; maximize++) {
    enum { N = 24 };
    hp_ip ip;
    hp_diag d;
    double sign = maximize ? -1 : 1, a[N], w[N];
    rng_state = 0x2545f4914f6cdd1dull;
    assert_int_equal(hp_ip_init(&ip, N), HP_OK);
    ip.maximize = maximize;
    for (size_t j = 0; j < N; j++) {
      a[j] = irand(10000, 20000);
      w[j] = irand(1, 9);
      ip.obj[j] = sign * (a[j] * 10 + irand(-5, 5));
      ip.ub[j] = 8;
      ip.is_int[j] = 1;
    }
    /* min: cover 1,234,567 at least cost; max: the same objective negated,
     * so both search the same tree; a second row keeps it from being a
     * plain knapsack. */
    assert_int_equal(hp_ip_add_row(&ip, "demand", a, 1234567, HUGE_VAL, NULL),
                     HP_OK);
    assert_int_equal(hp_ip_add_row(&ip, "weight", w, -HUGE_VAL, 400, NULL),
                     HP_OK);
    hp_ip_solution ex;
    assert_int_equal(hp_solver_glpk_solve(&ip, &ex, &d), HP_OK);
    assert_int_equal(ex.status, HP_SOL_OPTIMAL);
    assert_false(ex.node_limited);
    assert_true(ex.nodes > 3000);
    double z = ex.objective, tol = 1e-9 * fabs(z), prev = HUGE_VAL;
    static const long limits[] = {300, 1000, 3000};
    for (size_t k = 0; k < sizeof limits / sizeof *limits; k++) {
      hp_ip_solution sol;
      ip.node_limit = limits[k];
      assert_int_equal(hp_solver_glpk_solve(&ip, &sol, &d), HP_OK);
      assert_int_equal(sol.status, HP_SOL_OPTIMAL);
      assert_true(sol.node_limited);
      assert_true(hp_ip_point_ok(&ip, sol.x));
      double v = 0;
      for (size_t j = 0; j < N; j++)
        v += ip.obj[j] * sol.x[j];
      assert_true(fabs(v - sol.objective) <= tol);
      /* bound <= optimum <= objective (minimising; reversed maximising) */
      assert_true(isfinite(sol.bound));
      assert_true(sign * (sol.bound - z) <= tol);
      assert_true(sign * (z - sol.objective) <= tol);
      assert_true(sign * sol.objective <= prev + tol);
      prev = sign * sol.objective;
      hp_ip_solution_cleanup(&sol);
    }
    hp_ip_solution_cleanup(&ex);
    hp_ip_cleanup(&ip);
  }
}

/* The fixed part of a random plan (the random tests draw the rest): a
 * 1e9-parameter model over a whole day at peak 1, the default PUE, years,
 * utilisation and power price; candidates and caps zeroed. */
static void random_base(hp_scenario *s, hp_candidate cands[4], hp_cap caps[8],
                        const char *name) {
  memset(s, 0, sizeof *s);
  memset(cands, 0, 4 * sizeof *cands);
  memset(caps, 0, 8 * sizeof *caps);
  s->name = (char *)name;
  s->file = (char *)name;
  s->has_workload = 1;
  s->model.params = s->model.active_params = 1e9;
  s->seconds_per_day = 86400;
  s->peak_factor = 1;
  s->pue = 1.3;
  s->years = 5;
  s->utilisation = 1;
  s->power_price_cny_per_kwh = 0.4;
}

/* hp_ip_presolve_exclusion_cut on hand cases, then sweeps that move one cap
 * step by step (a singleton row, a column's upper or lower bound, either way):
 * each point is solved from the previous point's optimum with the cut,
 * and must reach the enumerated optimum. */
static void exclusion_cut_walks_a_cap(void **state) {
  (void)state;
  hp_ip a, b;
  hp_ip_cut cut;
  assert_int_equal(hp_ip_init(&a, 2), HP_OK);
  double r1[2] = {1, 1}, cap[2] = {2, 0};
  a.is_int[0] = a.is_int[1] = 1;
  a.obj[0] = 1;
  a.obj[1] = 2;
  assert_int_equal(hp_ip_add_row(&a, "demand", r1, 3, HUGE_VAL, NULL), HP_OK);
  assert_int_equal(hp_ip_add_row(&a, "cap", cap, -HUGE_VAL, 7, NULL), HP_OK);
  assert_int_equal(hp_ip_copy(&b, &a), HP_OK);
  assert_int_equal(hp_ip_presolve_exclusion_cut(&a, &b, &cut),
                   0); /* nothing moved */
  b.rows[1].hi = 9;    /* 2 x0 <= 7 loosened: better points have x0 >= 4 */
  assert_int_equal(hp_ip_presolve_exclusion_cut(&a, &b, &cut), 1);
  assert_true(cut.col == 0 && cut.lo == 4 && cut.hi == HUGE_VAL);
  b.rows[0].lo = 4; /* two rows moved */
  assert_int_equal(hp_ip_presolve_exclusion_cut(&a, &b, &cut), 0);
  b.rows[1].hi = 7; /* a row on two columns moved */
  assert_int_equal(hp_ip_presolve_exclusion_cut(&a, &b, &cut), 0);
  b.rows[0].lo = 3;
  b.lb[1] = 1; /* a lower bound tightened: nothing better, x1 <= -1 */
  assert_int_equal(hp_ip_presolve_exclusion_cut(&a, &b, &cut), 1);
  assert_true(cut.col == 1 && cut.lo == -HUGE_VAL && cut.hi == -1);
  a.lb[1] = 2; /* loosened: better points have x1 <= 1 */
  assert_int_equal(hp_ip_presolve_exclusion_cut(&a, &b, &cut), 1);
  assert_true(cut.col == 1 && cut.lo == -HUGE_VAL && cut.hi == 1);
  b.ub[1] = 5; /* and its upper bound too */
  assert_int_equal(hp_ip_presolve_exclusion_cut(&a, &b, &cut), 0);
  b.obj[0] = 3; /* another objective */
  assert_int_equal(hp_ip_presolve_exclusion_cut(&a, &b, &cut), 0);
  hp_ip_cleanup(&a);
  hp_ip_cleanup(&b);

  int cut_used = 0, hint_kept = 0, moved = 0;
  for (int it = 0; it < 120; it++) {
    size_t n = (size_t)irand(2, 4);
    hp_ip ip;
    hp_diag d;
    assert_int_equal(hp_ip_init(&ip, n), HP_OK);
    double dem[8], mix[8], one[8] = {0};
    for (size_t j = 0; j < n; j++) {
      ip.is_int[j] = 1;
      ip.obj[j] = irand(1, 30);
      ip.ub[j] = 6;
      dem[j] = irand(1, 9);
      mix[j] = irand(-5, 5);
    }
    one[0] = irand(1, 3);
    int kind = it % 4; /* 0, 1: row cap up, down; 2: ub up; 3: lb down */
    assert_int_equal(
        hp_ip_add_row(&ip, "demand", dem, irand(5, 40), HUGE_VAL, NULL), HP_OK);
    assert_int_equal(
        hp_ip_add_row(&ip, "mix", mix, irand(-10, 5), HUGE_VAL, NULL), HP_OK);
    assert_int_equal(hp_ip_add_row(&ip, "cap", one, -HUGE_VAL, 0, NULL), HP_OK);
    hp_ip prev;
    int have = 0;
    double px[8];
    for (int k = 0; k <= 12; k++) {
      int v = kind == 1 ? 12 - k : k;
      ip.rows[2].hi = kind <= 1 ? v : HUGE_VAL;
      if (kind == 2)
        ip.ub[0] = v / 2.0;
      if (kind == 3)
        ip.lb[0] = 6 - v / 2.0;
      /* (enumerate starts every column at 0: no lower bounds) */
      double best = 0, bx[8], wx[8];
      int found = kind != 3 && enumerate(&ip, &best, bx, wx);
      hp_ip_solution sol;
      ip.hint = have ? px : NULL;
      ip.cut =
          have && hp_ip_presolve_exclusion_cut(&prev, &ip, &cut) ? &cut : NULL;
      cut_used += ip.cut != NULL;
      assert_int_equal(hp_solver_glpk_solve(&ip, &sol, &d), HP_OK);
      hp_ip_solution cold;
      ip.hint = NULL;
      ip.cut = NULL;
      assert_int_equal(hp_solver_glpk_solve(&ip, &cold, &d), HP_OK);
      assert_int_equal(sol.status, cold.status);
      if (kind != 3)
        assert_int_equal(sol.status == HP_SOL_OPTIMAL, found);
      if (sol.status == HP_SOL_OPTIMAL) {
        assert_true(fabs(sol.objective - cold.objective) < 1e-9);
        if (kind != 3)
          assert_true(fabs(sol.objective - best) < 1e-9);
        double o = 0;
        for (size_t j = 0; j < n; j++) {
          assert_true(sol.x[j] >= ip.lb[j] - 1e-9 &&
                      sol.x[j] <= ip.ub[j] + 1e-9);
          o += ip.obj[j] * sol.x[j];
        }
        assert_true(fabs(o - sol.objective) < 1e-9);
        for (size_t i = 0; i < ip.n_rows; i++) {
          double act = 0;
          for (size_t j = 0; j < n; j++)
            act += ip.rows[i].a[j] * sol.x[j];
          assert_true(act >= ip.rows[i].lo - 1e-9 &&
                      act <= ip.rows[i].hi + 1e-9);
        }
        if (have) {
          double ph = 0;
          for (size_t j = 0; j < n; j++)
            ph += ip.obj[j] * px[j];
          if (fabs(ph - sol.objective) < 1e-9)
            hint_kept++;
          else
            moved++;
        }
        memcpy(px, sol.x, n * sizeof *px);
        if (have)
          hp_ip_cleanup(&prev);
        assert_int_equal(hp_ip_copy(&prev, &ip), HP_OK);
        have = 1;
      } else {
        if (have)
          hp_ip_cleanup(&prev);
        have = 0;
      }
      hp_ip_solution_cleanup(&sol);
      hp_ip_solution_cleanup(&cold);
    }
    if (have)
      hp_ip_cleanup(&prev);
    hp_ip_cleanup(&ip);
  }
  print_message("cap walks: %d points solved with the cut, %d kept the "
                "previous optimum, %d moved\n",
                cut_used, hint_kept, moved);
  assert_true(cut_used >= 300);
  assert_true(hint_kept >= 50);
  assert_true(moved >= 50);
}

static void random_vs_enumeration(void **state) {
  (void)state;
  static const char *vendors[] = {"Alpha", "Beta", "Gamma"};
  static const char *ids[] = {"s0", "s1", "s2", "s3"};
  int agree = 0, infeasible = 0, twins = 0, improved = 0;
  for (int it = 0; it < 240; it++) {
    hp_scenario s;
    hp_candidate cands[4];
    hp_cap caps[8];
    random_base(&s, cands, caps, "r");
    s.gran = urand() < 0.8 ? HP_GRAN_SERVER : HP_GRAN_CARD;
    s.objective = urand() < 0.15  ? HP_OBJ_MAX_TOKENS
                  : urand() < 0.2 ? HP_OBJ_TCO
                                  : HP_OBJ_CAPEX;
    size_t n = (size_t)irand(1, 3);
    s.n_cands = n;
    s.cands = cands;
    double cps = s.gran == HP_GRAN_CARD ? 1 : 2;
    for (size_t j = 0; j < n; j++) {
      hp_device_spec *sp = &cands[j].spec;
      sp->id = ids[j];
      sp->vendor = vendors[irand(0, 2)];
      sp->domestic = urand() < 0.5;
      sp->fig[HP_FIG_cards_per_server] = cps;
      sp->fig[HP_FIG_fp16_tflops] = irand(1, 20);
      sp->fig[HP_FIG_price_server_cny] = irand(1, 50) * 1000;
      sp->fig[HP_FIG_tdp_w] = irand(100, 900);
      cands[j].mfu = 0.5;
      /* every SKU capped so the box is small */
      caps[s.n_caps].key = (char *)ids[j];
      caps[s.n_caps++].cards = irand(0, 6) * (s.gran == HP_GRAN_CARD ? 1 : 2);
    }
    /* A quarter of the programs get a twin of SKU 0 (same vendor and
     * figures, its own cap): the presolve merges the two columns. */
    if (urand() < 0.25) {
      cands[n] = cands[0];
      cands[n].spec.id = ids[n];
      caps[s.n_caps].key = (char *)ids[n];
      caps[s.n_caps++].cards = irand(0, 6) * (s.gran == HP_GRAN_CARD ? 1 : 2);
      s.n_cands = ++n;
      twins++;
    }
    if (urand() < 0.3) {
      caps[s.n_caps].key = (char *)vendors[irand(0, 2)];
      caps[s.n_caps].is_vendor = 1;
      caps[s.n_caps++].cards = irand(0, 8);
    }
    s.caps = caps;
    /* tokens/s per unit = cps * tflops * 1e12 * 0.5 / 2e9 = 250 * cps * tf */
    double unit = 250.0 * (s.gran == HP_GRAN_CARD ? 1 : cps);
    s.tokens_per_day = irand(1, 40) * unit * 86400 * 0.5;
    if (urand() < 0.4) {
      s.has_dom_min = 1;
      s.dom_min = irand(0, 10) / 10.0;
      s.dom_basis = (hp_share_basis)irand(0, 2);
    }
    if (urand() < 0.2) {
      s.has_dom_max = 1;
      s.dom_max =
          s.has_dom_min ? s.dom_min + (1 - s.dom_min) * urand() : urand();
    }
    if (urand() < 0.3)
      s.power_mw = irand(1, 30) * 1e-3;
    if (urand() < 0.3 || s.objective == HP_OBJ_MAX_TOKENS)
      s.budget_cny = irand(1, 200) * 1000;
    if (urand() < 0.2)
      s.max_vendor_share = irand(4, 10) / 10.0;
    if (urand() < 0.2)
      s.headroom = irand(0, 5) / 10.0;

    hp_ip ip;
    hp_unit *u = NULL;
    hp_diag d;
    assert_int_equal(hp_planner_build(&s, &ip, &u, &d), HP_OK);
    /* Caps are rows; tighten column bounds for the enumerator from them. */
    for (size_t j = 0; j < n; j++)
      ip.ub[j] = floor(caps[j].cards / u[j].cards + 1e-9);
    hp_ip_solution sol;
    assert_int_equal(hp_solver_glpk_solve(&ip, &sol, &d), HP_OK);
    double best = 0, bx[8], wx[8];
    int found = enumerate(&ip, &best, bx, wx);
    if (!found) {
      assert_int_equal(sol.status, HP_SOL_INFEASIBLE);
      infeasible++;
    } else {
      if (sol.status != HP_SOL_OPTIMAL ||
          fabs(sol.objective - best) > 1e-6 * (1 + fabs(best)))
        print_error("it %d: glpk %d %.17g, enumeration %.17g\n", it, sol.status,
                    sol.objective, best);
      assert_int_equal(sol.status, HP_SOL_OPTIMAL);
      assert_true(fabs(sol.objective - best) <= 1e-6 * (1 + fabs(best)));
      agree++;
      /* Started from the worst feasible point, or from an infeasible one,
       * the solver finds the same optimum (hp_ip.hint). */
      double far[8];
      for (size_t j = 0; j < n; j++)
        far[j] = ip.ub[j] + 1;
      const double *starts[2] = {wx, far};
      for (int h = 0; h < 2; h++) {
        hp_ip_solution hs;
        ip.hint = starts[h];
        assert_int_equal(hp_solver_glpk_solve(&ip, &hs, &d), HP_OK);
        assert_int_equal(hs.status, HP_SOL_OPTIMAL);
        assert_true(fabs(hs.objective - best) <= 1e-6 * (1 + fabs(best)));
        hp_ip_solution_cleanup(&hs);
        ip.hint = NULL;
      }
      /* Local moves from the worst point keep it feasible and never make
       * it worse. */
      double act[HP_IP_MAX_ROWS], wobj = 0, iobj = 0;
      for (size_t j = 0; j < n; j++)
        wobj += ip.obj[j] * wx[j];
      hp_ip_improve(&ip, wx, act);
      for (size_t j = 0; j < n; j++) {
        iobj += ip.obj[j] * wx[j];
        assert_true(wx[j] >= ip.lb[j] && wx[j] <= ip.ub[j] &&
                    wx[j] == floor(wx[j]));
      }
      for (size_t i = 0; i < ip.n_rows; i++) {
        double v = 0;
        for (size_t j = 0; j < n; j++)
          v += ip.rows[i].a[j] * wx[j];
        double tol = 1e-7 * (1 + fabs(v));
        assert_true(v >= ip.rows[i].lo - tol && v <= ip.rows[i].hi + tol);
      }
      assert_true(ip.maximize ? iobj >= wobj : iobj <= wobj);
      if (iobj != wobj)
        improved++;
      /* And they stop only where none is left: no unit on or off one
       * column, with any step of another, is feasible and better. */
      for (size_t k = 0; k < n; k++)
        for (int dk = -1; dk <= 1; dk += 2)
          for (size_t j = 0; j < n; j++)
            for (int dj = -40; dj <= 40; dj++) {
              if (j == k)
                continue;
              double y[8], g = 0;
              memcpy(y, wx, n * sizeof *y);
              y[k] += dk;
              y[j] += dj;
              if (y[k] < ip.lb[k] || y[k] > ip.ub[k] || y[j] < ip.lb[j] ||
                  y[j] > ip.ub[j])
                continue;
              int ok = 1;
              for (size_t i = 0; i < ip.n_rows && ok; i++) {
                double v = 0;
                for (size_t c = 0; c < n; c++)
                  v += ip.rows[i].a[c] * y[c];
                ok = v >= ip.rows[i].lo && v <= ip.rows[i].hi;
              }
              for (size_t c = 0; c < n; c++)
                g += ip.obj[c] * (y[c] - wx[c]);
              if (ok && (ip.maximize ? g : -g) > 1e-6 * (1 + fabs(iobj)))
                print_error("it %d: move %zu%+d %zu%+d gains %g\n", it, k, dk,
                            j, dj, ip.maximize ? g : -g);
              assert_false(ok &&
                           (ip.maximize ? g : -g) > 1e-6 * (1 + fabs(iobj)));
            }
    }
    hp_ip_solution_cleanup(&sol);
    hp_ip_cleanup(&ip);
    hp_free(u);
  }
  print_message("random programs: %d optimal equal, %d infeasible both, "
                "%d with twin columns; local moves improved %d worst points\n",
                agree, infeasible, twins, improved);
  assert_true(improved >= 50);
  assert_true(twins >= 40);
  assert_true(agree + infeasible == 240);
  assert_true(agree >= 100);
  assert_true(infeasible >= 10);
}

/* ----------------------------------------------------------------------------
 * Headroom under the roofline model
 * ------------------------------------------------------------------------- */

/* Headroom multiplies every request class's demand row, as it multiplies
 * the flops model's one: with fractional servers the program is linear in
 * the demand (the roofline operating point does not depend on the volume),
 * so headroom 0.2 costs exactly what 1.2 x the tokens cost, and 1.2 x what
 * the tokens alone cost. */
/* Explaining an infeasible max_vendor_share over two SKUs of one vendor:
 * libglpk 5.0's branching rule re-fixed one variable of a 9-node tree
 * millions of times (the tree never grew, so a node budget never ran out)
 * and the plan never finished. Two vendors at most 0.45 each cannot carry
 * the whole throughput: one of them needs at least half. SIGALRM's default
 * action ends the test if the search runs away again. */
static void vendor_share_explanation_terminates(void **state) {
  (void)state;
  const char *text =
      "name: mv\n"
      "defaults:\n"
      "  workload: {model: {params: 130e9}, tokens_per_day: 4.0e12,\n"
      "             seconds_per_day: 129600, peak_factor: 4}\n"
      "  devices: [nvidia-h20, nvidia-l20, huawei-ascend-910c]\n"
      "scenarios:\n"
      "  - {name: a, constraints: {max_vendor_share: 0.45}}\n"
      "  - {name: b, constraints: {max_vendor_share: 0.3}}\n";
  alarm(60);
  hp_plan *plan = solve_text(text, real_cat);
  alarm(0);
  for (size_t i = 0; i < 2; i++) {
    const hp_scenario_result *r = hp_plan_at(plan, i);
    assert_int_equal(r->status, HP_RESULT_INFEASIBLE);
    assert_non_null(r->explanation);
    if (!strstr(r->explanation, "need one vendor to carry at least 0.50"))
      print_error("%s\n", r->explanation);
    assert_non_null(
        strstr(r->explanation, "need one vendor to carry at least 0.50"));
  }
  hp_plan_free(plan);
}

static void roofline_headroom_is_more_demand(void **state) {
  (void)state;
  char text[4096];
  const char *scen = "  - name: %s\n"
                     "    workload: {tokens_per_day: %s}\n"
                     "    constraints: {headroom: %s}\n";
  int len = snprintf(
      text, sizeof text,
      "name: t\n"
      "defaults:\n"
      "  demand_model: roofline\n"
      "  granularity: fractional\n"
      "  mfu: 0.5\n"
      "  devices: [nvidia-h20, huawei-ascend-910b3]\n"
      "  workload:\n"
      "    model: {name: llama-3-70b}\n"
      "    slo: {ttft_ms: 3000, tpot_ms: 60}\n"
      "    requests:\n"
      "      - {name: chat, share: 3, input_tokens: 1000, output_tokens: 250}\n"
      "      - {name: long, share: 1, input_tokens: 8000, output_tokens: 500,\n"
      "         ttft_ms: 8000}\n"
      "scenarios:\n");
  const char *rows[3][3] = {{"headroom", "1.0e10", "0.2"},
                            {"more", "1.2e10", "0"},
                            {"plain", "1.0e10", "0"}};
  for (int i = 0; i < 3; i++)
    len += snprintf(text + len, sizeof text - (size_t)len, scen, rows[i][0],
                    rows[i][1], rows[i][2]);
  assert_true(len > 0 && (size_t)len < sizeof text);
  hp_plan *plan = solve_text(text, real_cat);
  const hp_scenario_result *r[3];
  for (size_t i = 0; i < 3; i++) {
    r[i] = hp_plan_at(plan, i);
    assert_int_equal(r[i]->status, HP_RESULT_OPTIMAL);
    assert_string_equal(r[i]->demand_model, "roofline");
  }
  if (fabs(r[0]->capex_cny / r[1]->capex_cny - 1) > 1e-9)
    print_error("headroom 0.2: %.17g CNY; 1.2 x tokens: %.17g CNY\n",
                r[0]->capex_cny, r[1]->capex_cny);
  assert_true(fabs(r[0]->capex_cny / r[1]->capex_cny - 1) < 1e-9);
  assert_true(fabs(r[1]->capex_cny / (1.2 * r[2]->capex_cny) - 1) < 1e-9);
  assert_true(r[0]->n_assigns >= 2);
  hp_plan_free(plan);
}

/* ----------------------------------------------------------------------------
 * Random plans against the formulation, from the scenario's own figures
 * ------------------------------------------------------------------------- */

/* One unit (a server, or a card with granularity: card) of each candidate,
 * from its figures as docs/formulation.md states them; nothing here comes
 * from hp_planner_build. */
typedef struct fig_unit {
  double tok, cards, capex, kw, opex;
} fig_unit;

static void fig_units(const hp_scenario *s, fig_unit *f) {
  for (size_t j = 0; j < s->n_cands; j++) {
    const double *g = s->cands[j].spec.fig;
    double cps = g[HP_FIG_cards_per_server];
    double cards = s->gran == HP_GRAN_CARD ? 1 : cps;
    f[j].tok = cards * g[HP_FIG_fp16_tflops] * 1e12 * s->cands[j].mfu /
               (2 * s->model.active_params);
    f[j].cards = cards;
    f[j].capex = g[HP_FIG_price_server_cny] * cards / cps;
    f[j].kw = cards * g[HP_FIG_tdp_w] * s->pue / 1000;
    f[j].opex = f[j].kw * s->utilisation * 8760 * s->power_price_cny_per_kwh;
  }
}

/* a <= b, forgiving rounding relative to the larger of the two. */
static int fig_le(double a, double b) {
  return a <= b + 1e-9 * fmax(1.0, fmax(fabs(a), fabs(b)));
}

/* 1 if buying x[j] units of each candidate meets every constraint of s;
 * *obj receives the plan's objective. */
static int fig_feasible(const hp_scenario *s, const fig_unit *f,
                        const double *x, double *obj) {
  double tok = 0, capex = 0, kw = 0, opex = 0, all[3] = {0}, dom[3] = {0};
  for (size_t j = 0; j < s->n_cands; j++) {
    double b[3] = {x[j] * f[j].tok, x[j] * f[j].cards, x[j] * f[j].capex};
    tok += b[0];
    capex += b[2];
    kw += x[j] * f[j].kw;
    opex += x[j] * f[j].opex;
    for (int k = 0; k < 3; k++) {
      all[k] += b[k];
      dom[k] += s->cands[j].spec.domestic ? b[k] : 0;
    }
  }
  *obj = s->objective == HP_OBJ_MAX_TOKENS ? tok
         : s->objective == HP_OBJ_TCO      ? capex + s->years * opex
                                           : capex;
  double need = s->tokens_per_day / s->seconds_per_day * s->peak_factor *
                (1 + s->headroom);
  if (s->objective != HP_OBJ_MAX_TOKENS && !fig_le(need, tok))
    return 0;
  if (s->budget_cny > 0 && !fig_le(capex, s->budget_cny))
    return 0;
  if (s->power_mw > 0 && !fig_le(kw / 1000, s->power_mw))
    return 0;
  for (size_t i = 0; i < s->n_caps; i++) {
    double cards = 0;
    for (size_t j = 0; j < s->n_cands; j++) {
      const hp_device_spec *sp = &s->cands[j].spec;
      if (strcmp(s->caps[i].is_vendor ? sp->vendor : sp->id, s->caps[i].key) ==
          0)
        cards += x[j] * f[j].cards;
    }
    if (!fig_le(cards, s->caps[i].cards))
      return 0;
  }
  /* The share on the scenario's basis; buying nothing meets both bounds. */
  int b = s->dom_basis == HP_BASIS_CARDS   ? 1
          : s->dom_basis == HP_BASIS_CAPEX ? 2
                                           : 0;
  if (s->has_dom_min && !fig_le(s->dom_min * all[b], dom[b]))
    return 0;
  if (s->has_dom_max && !fig_le(dom[b], s->dom_max * all[b]))
    return 0;
  for (size_t v = 0; s->max_vendor_share > 0 && v < s->n_cands; v++) {
    double vt = 0;
    for (size_t j = 0; j < s->n_cands; j++)
      if (strcmp(s->cands[j].spec.vendor, s->cands[v].spec.vendor) == 0)
        vt += x[j] * f[j].tok;
    if (!fig_le(vt, s->max_vendor_share * tok))
      return 0;
  }
  return 1;
}

/* The best plan over every x with 0 <= x[j] <= ub[j]; 0 if none is
 * feasible. */
static int fig_enumerate(const hp_scenario *s, const fig_unit *f, const int *ub,
                         double *best) {
  size_t n = s->n_cands;
  double x[8] = {0};
  int found = 0;
  for (;;) {
    double o;
    if (fig_feasible(s, f, x, &o) &&
        (!found ||
         (s->objective == HP_OBJ_MAX_TOKENS ? o > *best : o < *best))) {
      *best = o;
      found = 1;
    }
    size_t j = 0;
    while (j < n && x[j] >= ub[j])
      x[j++] = 0;
    if (j == n)
      break;
    x[j]++;
  }
  return found;
}

/* Random scenarios whose constraints are judged here from the figures
 * alone (per-SKU throughput, cards, capex, power; the domestic share on
 * each basis with a floor, a ceiling or both; the vendor ceiling on
 * tokens/s; caps by SKU and by vendor; power; budget), so a row that
 * hp_planner_build writes wrong cannot agree with itself. The optimum
 * must be hp_planner_solve's, and the plan it reports must meet every
 * constraint again when recomputed from its lines: the domestic share, on
 * the scenario's basis, from the lines' tokens/s, cards or capex. */
static void random_plans_vs_figures(void **state) {
  (void)state;
  static const char *vendors[] = {"Alpha", "Beta", "Gamma"};
  static const char *ids[] = {"s0", "s1", "s2", "s3"};
  uint64_t saved = rng_state; /* leave the other tests' draws alone */
  rng_state = 0x2545f4914f6cdd1dull;
  int optimal = 0, infeasible = 0, both = 0, on_basis[3] = {0}, vshare = 0;
  for (int it = 0; it < 300; it++) {
    hp_scenario s;
    hp_candidate cands[4];
    hp_cap caps[8];
    random_base(&s, cands, caps, "f");
    s.gran = urand() < 0.75 ? HP_GRAN_SERVER : HP_GRAN_CARD;
    double o = urand();
    s.objective = o < 0.7    ? HP_OBJ_CAPEX
                  : o < 0.85 ? HP_OBJ_TCO
                             : HP_OBJ_MAX_TOKENS;
    size_t n = (size_t)irand(1, 4);
    s.n_cands = n;
    s.cands = cands;
    int ub[8];
    for (size_t j = 0; j < n; j++) {
      hp_device_spec *sp = &cands[j].spec;
      sp->id = ids[j];
      sp->vendor = vendors[irand(0, 2)];
      sp->domestic = urand() < 0.5;
      double cps = irand(1, 4);
      sp->fig[HP_FIG_cards_per_server] = cps;
      sp->fig[HP_FIG_fp16_tflops] = irand(1, 20);
      sp->fig[HP_FIG_price_server_cny] = irand(1, 50) * 1000 * cps;
      sp->fig[HP_FIG_tdp_w] = irand(100, 900);
      cands[j].mfu = 0.5;
      /* every SKU capped (in cards, not always whole units) so that the
       * box is small */
      double unit = s.gran == HP_GRAN_CARD ? 1 : cps;
      caps[s.n_caps].key = (char *)ids[j];
      caps[s.n_caps++].cards = irand(0, 6) * unit + irand(0, (int)unit - 1);
      ub[j] = (int)(caps[s.n_caps - 1].cards / unit);
    }
    if (urand() < 0.3) {
      caps[s.n_caps].key = (char *)vendors[irand(0, 2)];
      caps[s.n_caps].is_vendor = 1;
      caps[s.n_caps++].cards = irand(0, 24);
    }
    s.caps = caps;
    /* a card gives 250 x tflops tokens/s */
    s.tokens_per_day = irand(1, 60) * 250.0 * 86400;
    double dm = urand();
    if (dm < 0.65) {
      s.dom_basis = (hp_share_basis)irand(0, 2);
      s.has_dom_min = dm < 0.45;
      s.has_dom_max = dm >= 0.25;
      s.dom_min = irand(0, 10) / 10.0;
      s.dom_max = s.has_dom_min
                      ? s.dom_min + irand(0, 10) * (1 - s.dom_min) / 10
                      : irand(0, 20) / 20.0;
      both += s.has_dom_min && s.has_dom_max;
      on_basis[s.dom_basis]++;
    }
    if (urand() < 0.3)
      s.max_vendor_share = irand(4, 10) / 10.0;
    vshare += s.max_vendor_share > 0;
    if (urand() < 0.25)
      s.power_mw = irand(1, 40) * 1e-3;
    if (urand() < 0.3 || s.objective == HP_OBJ_MAX_TOKENS)
      s.budget_cny = irand(1, 300) * 1000;
    if (urand() < 0.2)
      s.headroom = irand(0, 5) / 10.0;

    fig_unit f[8];
    fig_units(&s, f);
    double best = 0;
    int found = fig_enumerate(&s, f, ub, &best);
    /* max_tokens that buys nothing is reported infeasible */
    if (found && s.objective == HP_OBJ_MAX_TOKENS && !(best > 0))
      found = 0;

    hp_scenario_result r;
    hp_diag d;
    assert_int_equal(hp_planner_solve(&s, fix_cat, &r, &d), HP_OK);
    double got = s.objective == HP_OBJ_MAX_TOKENS ? r.delivered_tokens_per_s
                 : s.objective == HP_OBJ_TCO      ? r.tco_cny
                                                  : r.capex_cny;
    if ((r.status == HP_RESULT_OPTIMAL) != found ||
        (found && fabs(got - best) > 1e-9 * fmax(1.0, best)))
      print_error("it %d: hetplan %s %.17g, figures %s %.17g\n", it,
                  hp_result_status_name(r.status), got,
                  found ? "optimal" : "infeasible", best);
    if (!found) {
      assert_int_equal(r.status, HP_RESULT_INFEASIBLE);
      infeasible++;
      hp_planner_result_cleanup(&r);
      continue;
    }
    assert_int_equal(r.status, HP_RESULT_OPTIMAL);
    assert_true(fabs(got - best) <= 1e-9 * fmax(1.0, best));
    optimal++;

    /* The plan, back from its lines: whole units of the figures above. */
    double x[8] = {0}, all[3] = {0}, dom[3] = {0};
    for (size_t i = 0; i < r.n_lines; i++) {
      const hp_plan_line *l = &r.lines[i];
      size_t j = 0;
      while (j < n && strcmp(ids[j], l->device) != 0)
        j++;
      assert_true(j < n);
      x[j] = s.gran == HP_GRAN_CARD ? l->cards : l->servers;
      assert_true(x[j] == floor(x[j]) && x[j] <= ub[j]);
      assert_true(fabs(l->tokens_per_s - x[j] * f[j].tok) <=
                  1e-9 * l->tokens_per_s);
      assert_true(fabs(l->capex_cny - x[j] * f[j].capex) <=
                  1e-9 * l->capex_cny);
      assert_true(fabs(l->cards - x[j] * f[j].cards) <= 1e-9 * l->cards);
      assert_int_equal(l->domestic, cands[j].spec.domestic);
      double b[3] = {l->tokens_per_s, l->cards, l->capex_cny};
      for (int k = 0; k < 3; k++) {
        all[k] += b[k];
        dom[k] += l->domestic ? b[k] : 0;
      }
    }
    double ox;
    assert_true(fig_feasible(&s, f, x, &ox));
    assert_true(fabs(ox - best) <= 1e-9 * fmax(1.0, best));
    /* The domestic shares reported are those of the lines, and the one on
     * the scenario's basis is within its bounds. */
    const double rep[3] = {r.domestic_share_compute, r.domestic_share_cards,
                           r.domestic_share_capex};
    for (int k = 0; k < 3; k++) {
      double sh = all[k] > 0 ? dom[k] / all[k] : 0;
      assert_true(fabs(rep[k] - sh) < 1e-12);
      if (k != (int)s.dom_basis || !(all[k] > 0))
        continue;
      if (s.has_dom_min && !(sh >= s.dom_min - 1e-9))
        print_error("it %d: share %.17g below min %g\n", it, sh, s.dom_min);
      assert_true(!s.has_dom_min || sh >= s.dom_min - 1e-9);
      assert_true(!s.has_dom_max || sh <= s.dom_max + 1e-9);
    }
    hp_planner_result_cleanup(&r);
  }
  rng_state = saved;
  print_message("random plans from figures: %d optimal, %d infeasible; "
                "%d with a share floor and ceiling, on compute/cards/capex "
                "%d/%d/%d; %d with a vendor ceiling\n",
                optimal, infeasible, both, on_basis[0], on_basis[1],
                on_basis[2], vshare);
  assert_true(optimal >= 120);
  assert_true(infeasible >= 30);
  assert_true(both >= 30);
  assert_true(on_basis[2] >= 40);
  assert_true(vshare >= 60);
}

/* ----------------------------------------------------------------------------
 * Issue 19: correct at the edges
 * ------------------------------------------------------------------------- */

/* Peak demand of a solved result in long double, and what its lines
 * deliver, from the scenario's own figures: tokens/s of a server =
 * cards x TFLOPS x 1e12 x MFU / (2 x active params). */
static long double delivered_ld(const hp_scenario_result *r, double tflops_of,
                                double params, double mfu, const char *id) {
  long double t = 0;
  for (size_t i = 0; i < r->n_lines; i++)
    if (!id || strcmp(r->lines[i].device, id) == 0)
      t += (long double)r->lines[i].cards * tflops_of * 1e12L * mfu /
           (2.0L * params);
  return t;
}

/* The status of scenario `name` as a rendered report prints it: on the
 * table's "PLAN / NAME: " line, in Markdown's "## NAME (...)" heading, in
 * the CSV's status field of its first row, in JSON's status_text, or
 * status when there is none. */
static void rendered_status(const hp_plan *plan, const char *name,
                            hp_format fmt, char *out, size_t size) {
  char *text = NULL, key[128];
  size_t len = 0;
  hp_diag d;
  assert_int_equal(hp_report_render(plan, fmt, &text, &len, &d), HP_OK);
  const char *p = NULL, *e = NULL;
  switch (fmt) {
  case HP_FORMAT_TABLE:
    snprintf(key, sizeof key, " / %s: ", name);
    p = strstr(text, key) + strlen(key);
    e = strchr(p, '\n');
    break;
  case HP_FORMAT_MD:
    snprintf(key, sizeof key, "\n## %s (", name);
    p = strstr(text, key) + strlen(key);
    e = strchr(p, '\n') - 1; /* the heading's closing ')' */
    break;
  case HP_FORMAT_CSV:
    snprintf(key, sizeof key, "\n%s,%s,", hp_plan_name(plan), name);
    p = strstr(text, key) + strlen(key);
    e = strchr(p, ','); /* no comma inside a CSV status */
    break;
  default: {
    snprintf(key, sizeof key, "\"name\": \"%s\"", name);
    const char *o = strstr(text, key);
    const char *st = strstr(o, "\"status\": \"");
    const char *tx = strstr(o, "\"status_text\": \"");
    const char *next = strstr(o + 1, "\"name\": \"");
    p = tx && (!next || tx < next) ? tx + strlen("\"status_text\": \"")
                                   : st + strlen("\"status\": \"");
    e = strchr(p, '"');
    break;
  }
  }
  assert_non_null(p);
  assert_non_null(e);
  snprintf(out, size, "%.*s", (int)(e - p), p);
  free(text);
}

/* Case 1: a demand of 100 to 10,000 tokens/day (0.001-0.12 tokens/s)
 * against 42,000 tokens/s servers. The LP relaxation met it with 3e-6 of
 * a server, which GLPK's integrality tolerance took for 0: "optimal", 0
 * servers, 0 tokens/s. One server of the cheaper SKU is the optimum. */
static void tiny_demand_buys_one_server(void **state) {
  (void)state;
  static const double tpd[] = {1e2, 1e3, 1e4, 1e5};
  for (size_t k = 0; k < sizeof tpd / sizeof *tpd; k++) {
    char text[512];
    snprintf(text, sizeof text,
             "name: tiny\n"
             "defaults:\n"
             "  workload: {model: {params: 7e9}, tokens_per_day: %g}\n"
             "  mfu: 0.5\n"
             "  granularity: server\n"
             "  devices: [nvidia-h20, huawei-ascend-910b3]\n"
             "scenarios:\n"
             "  - name: s\n"
             "  - name: card\n"
             "    granularity: card\n",
             tpd[k]);
    hp_plan *plan = solve_text(text, real_cat);
    const hp_device_spec *h20 = hp_catalog_find(real_cat, "nvidia-h20");
    const hp_device_spec *asc =
        hp_catalog_find(real_cat, "huawei-ascend-910b3");
    assert_non_null(h20);
    assert_non_null(asc);
    for (size_t i = 0; i < 2; i++) {
      const hp_scenario_result *r = hp_plan_at(plan, i);
      if (r->status != HP_RESULT_OPTIMAL || !(r->delivered_tokens_per_s > 0))
        print_error("%g tokens/day, %s: %s, %g servers, %g tokens/s\n", tpd[k],
                    r->name, hp_result_status_name(r->status), r->servers,
                    r->delivered_tokens_per_s);
      assert_int_equal(r->status, HP_RESULT_OPTIMAL);
      assert_true(r->delivered_tokens_per_s >= r->required_tokens_per_s);
      /* the cheapest unit: one server, or one card */
      double unit[2] = {h20->fig[HP_FIG_price_server_cny],
                        asc->fig[HP_FIG_price_server_cny]};
      if (i == 1) {
        unit[0] /= h20->fig[HP_FIG_cards_per_server];
        unit[1] /= asc->fig[HP_FIG_cards_per_server];
      }
      assert_true(fabs(r->capex_cny - fmin(unit[0], unit[1])) < 1e-6);
      char st[128];
      for (hp_format f = HP_FORMAT_TABLE; f <= HP_FORMAT_MD; f++) {
        rendered_status(plan, r->name, f, st, sizeof st);
        assert_string_equal(st, "optimal");
      }
    }
    hp_plan_free(plan);
  }
}

/* Case 2: figures far from the everyday ones, within the limits. */
static void huge_figures_plan_right(void **state) {
  (void)state;
  const char *text =
      "name: huge\n"
      "defaults:\n"
      "  workload: {model: {params: 7e9}, tokens_per_day: 86400000}\n"
      "  mfu: 0.5\n"
      "  granularity: server\n"
      "  devices: [nvidia-h20, huawei-ascend-910b3]\n"
      "  overrides: {nvidia-h20: {fp16_tflops: 1e8}}\n"
      "scenarios:\n"
      /* 1,000 tokens/s from 2.9e10 tokens/s servers: was 0 servers */
      "  - name: fast-small\n"
      /* 1.2e13 tokens/s from 2.9e20 tokens/s servers, with a share row of
       * 2e20 coefficients: was 0 servers, then wrongly infeasible */
      "  - name: huge-large\n"
      "    overrides: {nvidia-h20: {fp16_tflops: 1e18},\n"
      "                huawei-ascend-910b3: {fp16_tflops: 1e18}}\n"
      "    workload: {tokens_per_day: 1e18}\n"
      "  - name: huge-share\n"
      "    overrides: {nvidia-h20: {fp16_tflops: 1e18},\n"
      "                huawei-ascend-910b3: {fp16_tflops: 1e18}}\n"
      "    workload: {tokens_per_day: 1e18}\n"
      "    constraints: {domestic_share: {min: 0.3}}\n"
      "  - name: huge-fractional\n"
      "    overrides: {nvidia-h20: {fp16_tflops: 1e18},\n"
      "                huawei-ascend-910b3: {fp16_tflops: 1e18}}\n"
      "    workload: {tokens_per_day: 1e18}\n"
      "    granularity: fractional\n"
      /* 3.9e10 H20 servers of 296 tokens/s: was 39,101,601,601, 178
       * tokens/s short */
      "  - name: big-model-one\n"
      "    devices: [nvidia-h20]\n"
      "    overrides: {nvidia-h20: {fp16_tflops: 148}}\n"
      "    workload: {model: {params: 1e12}, tokens_per_day: 1e18}\n"
      /* 5e11 servers over two SKUs: GLPK's point is 430 tokens/s short
       * (its tolerance is relative, 1e-7); repaired */
      "  - name: big-model-two\n"
      "    devices: [nvidia-h20, nvidia-h100]\n"
      "    overrides: {nvidia-h20: {fp16_tflops: 148}}\n"
      "    workload: {model: {params: 1e12}, tokens_per_day: 1e18,\n"
      "               peak_factor: 85.3333}\n";
  hp_plan *plan = solve_text(text, real_cat);
  const hp_device_spec *h100 = hp_catalog_find(real_cat, "nvidia-h100");
  static const struct {
    double h20, asc, params;
  } fig[] = {{1e8, 0, 7e9},     {1e18, 1e18, 7e9}, {1e18, 1e18, 7e9},
             {1e18, 1e18, 7e9}, {148, 0, 1e12},    {148, 0, 1e12}};
  assert_int_equal(hp_plan_count(plan), 6);
  for (size_t i = 0; i < 6; i++) {
    const hp_scenario_result *r = hp_plan_at(plan, i);
    if (r->status != HP_RESULT_OPTIMAL)
      print_error("%s: %s: %s\n", r->name, hp_result_status_name(r->status),
                  r->explanation ? r->explanation : "");
    assert_int_equal(r->status, HP_RESULT_OPTIMAL);
    /* Demand met in long double from the figures. */
    double asc = fig[i].asc > 0 ? fig[i].asc : 313;
    long double got =
        delivered_ld(r, fig[i].h20, fig[i].params, 0.5, "nvidia-h20") +
        delivered_ld(r, asc, fig[i].params, 0.5, "huawei-ascend-910b3") +
        delivered_ld(r, h100->fig[HP_FIG_fp16_tflops], fig[i].params, 0.5,
                     "nvidia-h100");
    long double need = (long double)r->required_tokens_per_s;
    if (!(got >= need * (1 - 1e-15L)))
      print_error("%s: delivers %.3Lf of %.3Lf tokens/s\n", r->name, got, need);
    assert_true(got >= need * (1 - 1e-15L));
    assert_true(r->servers > 0);
  }
  /* The single-SKU optimum is exact: ceil(demand / 296) servers. */
  const hp_scenario_result *one = hp_plan_at(plan, 4);
  long double per = 8 * 148e12L * 0.5L / 2e12L;
  assert_true(one->servers ==
              (double)ceill((long double)one->required_tokens_per_s / per));
  /* Proven optima say "optimal"; the repaired plan does not, in any
   * format. */
  for (hp_format f = HP_FORMAT_TABLE; f <= HP_FORMAT_MD; f++) {
    char st[128];
    for (size_t i = 0; i < 5; i++) {
      rendered_status(plan, hp_plan_at(plan, i)->name, f, st, sizeof st);
      assert_string_equal(st, "optimal");
    }
    rendered_status(plan, "big-model-two", f, st, sizeof st);
    if (strncmp(st, "feasible", 8) != 0)
      print_error("big-model-two, format %d: '%s'\n", (int)f, st);
    assert_int_equal(strncmp(st, "feasible", 8), 0);
    assert_non_null(strstr(st, "not proven optimal (gap at most 0.0"));
  }
  hp_plan_free(plan);
}

/* Case 3: a plan the search stopped at solver.node_limit says so, with
 * its gap, on the first line of every format; the same plan without the
 * limit is "optimal" in every format. */
static void node_limited_status_in_every_format(void **state) {
  (void)state;
  const char *text =
      "name: nl\n"
      "defaults:\n"
      "  workload: {model: {name: m, params: 130e9}, tokens_per_day: 4.0e12,\n"
      "             seconds_per_day: 129600, peak_factor: 4}\n"
      "  mfu: 0.5\n"
      "  granularity: server\n"
      /* the 28 cards of 2024: with the later ones, 20 nodes find no plan */
      "  devices: [amd-mi300x, biren-br104, cambricon-mlu370-x8,\n"
      "            cambricon-mlu590, huawei-ascend-910b2,\n"
      "            huawei-ascend-910b3, huawei-ascend-910b4,\n"
      "            huawei-ascend-910c, huawei-atlas-300i-duo, hygon-bw200,\n"
      "            hygon-k100-ai, iluvatar-bi-v100, iluvatar-bi-v150,\n"
      "            intel-gaudi3, kunlunxin-p800, metax-c550,\n"
      "            mthreads-mtt-s4000, nvidia-a100, nvidia-a800,\n"
      "            nvidia-b200, nvidia-h100-pcie, nvidia-h100,\n"
      "            nvidia-h20-141g, nvidia-h20, nvidia-h200, nvidia-h800,\n"
      "            nvidia-l20, nvidia-l40s]\n"
      "  solver: {node_limit: 20}\n"
      "  constraints:\n"
      "    domestic_share: {min: 0.3}\n"
      "    caps: {nvidia-h20: 230000, vendor.Huawei: 30000,\n"
      "           vendor.Hygon: 10000}\n"
      "scenarios:\n"
      "  - name: s\n";
  hp_plan *plan = solve_text(text, real_cat);
  const hp_scenario_result *r = hp_plan_at(plan, 0);
  assert_int_equal(r->status, HP_RESULT_OPTIMAL);
  assert_true(r->node_limited);
  static const char *const want[] = {
      "feasible, not proven optimal (gap ", /* table */
      "feasible, not proven optimal (gap ", /* JSON status_text */
      "feasible; not proven optimal (gap ", /* CSV: no comma in a field */
      "feasible, not proven optimal (gap ", /* Markdown */
  };
  for (hp_format f = HP_FORMAT_TABLE; f <= HP_FORMAT_MD; f++) {
    char st[128];
    rendered_status(plan, "s", f, st, sizeof st);
    if (strncmp(st, want[f], strlen(want[f])) != 0)
      print_error("format %d: status '%s'\n", (int)f, st);
    assert_int_equal(strncmp(st, want[f], strlen(want[f])), 0);
    /* the gap printed is the one the search proved, in percent */
    char g[32];
    snprintf(g, sizeof g, "%.3g%%)", 100 * r->gap);
    if (100 * r->gap >= 0.001 && 100 * r->gap < 100)
      assert_non_null(strstr(st, g));
  }
  hp_plan_free(plan);
  /* Proven: "optimal" everywhere. */
  char proven[1024];
  snprintf(proven, sizeof proven, "%s", text);
  char *nl = strstr(proven, "  solver: {node_limit: 20}\n");
  memmove(nl, nl + strlen("  solver: {node_limit: 20}\n"),
          strlen(nl + strlen("  solver: {node_limit: 20}\n")) + 1);
  plan = solve_text(proven, real_cat);
  for (hp_format f = HP_FORMAT_TABLE; f <= HP_FORMAT_MD; f++) {
    char st[128];
    rendered_status(plan, "s", f, st, sizeof st);
    assert_string_equal(st, "optimal");
  }
  hp_plan_free(plan);
}

/* Prints s's program and GLPK's point (debugging the test below). */
static void dump_ip(const hp_scenario *sp) {
  hp_scenario s = *sp;
  hp_ip ip;
  hp_unit *uu;
  hp_diag dd;
  assert_int_equal(hp_planner_build(&s, &ip, &uu, &dd), HP_OK);
  for (size_t i = 0; i < ip.n_rows; i++) {
    print_error("  row %s [%g, %g]:", ip.rows[i].name, ip.rows[i].lo,
                ip.rows[i].hi);
    for (size_t j = 0; j < ip.n_cols; j++)
      print_error(" %.6g", ip.rows[i].a[j]);
    print_error("\n");
  }
  for (size_t j = 0; j < ip.n_cols; j++)
    print_error("  col %zu obj %.6g [%g, %g] int %d\n", j, ip.obj[j], ip.lb[j],
                ip.ub[j], ip.is_int[j]);
  hp_ip_solution so;
  hp_solver_glpk_solve(&ip, &so, &dd);
  print_error("  sol status %d obj %g x:", so.status, so.objective);
  for (size_t j = 0; so.x && j < ip.n_cols; j++)
    print_error(" %.17g", so.x[j]);
  print_error("\n");
}

/* Case 3 as the issue found it: a 300-SKU catalog (written to a temporary
 * directory: 300 made-up cards of 5 vendors, half domestic), a plan over
 * all of them with a domestic share floor and solver.node_limit, which
 * the search reaches. The first line of every format says "feasible, not
 * proven optimal (gap ...)" with the gap it proved, not "optimal". */
static void node_limited_300_skus(void **state) {
  (void)state;
  char dir[] = "/tmp/hp-300-XXXXXX";
  assert_non_null(mkdtemp(dir));
  static const char *vendors[] = {"Alpha", "Beta", "Gamma", "Delta", "Eps"};
  uint64_t saved = rng_state;
  rng_state = 0x1234567887654321ull;
  for (int i = 0; i < 300; i++) {
    char path[256];
    snprintf(path, sizeof path, "%s/sku-%03d.yaml", dir, i);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    int cps = irand(1, 8);
    fprintf(f,
            "id: sku-%03d\nvendor: %s\nname: \"SKU %d\"\ndomestic: %s\n"
            "memory_gb: 64\nmemory_bw_tbps: 1.0\nfp16_tflops: %d\n"
            "tdp_w: %d\ncards_per_server: %d\nprice_server_cny: %d\n"
            "price_as_of: 2026-01-01\n"
            "sources:\n"
            "  memory_gb: {conf: E, ref: \"test\"}\n"
            "  memory_bw_tbps: {conf: E, ref: \"test\"}\n"
            "  fp16_tflops: {conf: E, ref: \"test\"}\n"
            "  tdp_w: {conf: E, ref: \"test\"}\n"
            "  cards_per_server: {conf: E, ref: \"test\"}\n"
            "  price_server_cny: {conf: E, ref: \"test\"}\n",
            i, vendors[i % 5], i, i % 5 < 2 ? "true" : "false", irand(50, 1000),
            irand(200, 900), cps, irand(100, 4000) * 1000 * cps);
    fclose(f);
  }
  rng_state = saved;
  hp_catalog *cat = NULL;
  hp_diag d;
  int lrc = hp_catalog_load(dir, &cat, &d);
  if (lrc != HP_OK)
    print_error("%s:%d:%d: %s\n", d.file, d.line, d.column, d.msg);
  assert_int_equal(lrc, HP_OK);
  const char *text =
      "name: big\n"
      "defaults:\n"
      "  workload: {model: {params: 130e9}, tokens_per_day: 4.0e12,\n"
      "             seconds_per_day: 129600, peak_factor: 4}\n"
      "  mfu: 0.5\n"
      "  granularity: server\n"
      "  devices: all\n"
      "  solver: {node_limit: 20}\n"
      "  constraints:\n"
      "    domestic_share: {min: 0.37, basis: cards}\n"
      "    max_vendor_share: 0.25\n"
      "scenarios:\n"
      "  - name: s\n";
  hp_plan *plan = solve_text(text, cat);
  const hp_scenario_result *r = hp_plan_at(plan, 0);
  if (r->status != HP_RESULT_OPTIMAL || !r->node_limited)
    print_error("300 SKUs: %s, node-limited %d: %s\n",
                hp_result_status_name(r->status), r->node_limited,
                r->explanation ? r->explanation : "");
  assert_int_equal(r->status, HP_RESULT_OPTIMAL);
  assert_true(r->node_limited);
  print_message("300 SKUs, node-limited: gap %.3g%%\n", 100 * r->gap);
  static const char *const want[] = {"feasible, not proven optimal (gap ",
                                     "feasible, not proven optimal (gap ",
                                     "feasible; not proven optimal (gap ",
                                     "feasible, not proven optimal (gap "};
  for (hp_format f = HP_FORMAT_TABLE; f <= HP_FORMAT_MD; f++) {
    char st[128];
    rendered_status(plan, "s", f, st, sizeof st);
    if (strncmp(st, want[f], strlen(want[f])) != 0)
      print_error("format %d: status '%s'\n", (int)f, st);
    assert_int_equal(strncmp(st, want[f], strlen(want[f])), 0);
  }
  hp_plan_free(plan);
  hp_catalog_free(cat);
  for (int i = 0; i < 300; i++) {
    char path[256];
    snprintf(path, sizeof path, "%s/sku-%03d.yaml", dir, i);
    unlink(path);
  }
  rmdir(dir);
}

/* A draw log-uniform over [lo, hi]. */
static double logu(double lo, double hi) {
  return exp(log(lo) + urand() * (log(hi) - log(lo)));
}

/* Random plans over every magnitude the limits accept (docs/limits.md):
 * card figures (TFLOPS, price, TDP) and the workload (tokens/day, params)
 * from HP_MIN_FIGURE (1e-6) to HP_YAML_MAX_MAGNITUDE (1e18), MFU from
 * 1e-6 to 1, 1 to 4,096 cards a server; caps, budget, power and shares on
 * some. Every plan reported (optimal, or feasible and not proven) is
 * checked here against the scenario's figures in long double, with this
 * test's own arithmetic: whole units, demand met, caps, budget, power,
 * the domestic share on its basis and the vendor ceiling, each to 1e-13
 * of its terms. A plan of one SKU whose only row is the demand must be the
 * optimum: one unit fewer would not meet it. An error must say why. */
static void random_extreme_plans_checked(void **state) {
  (void)state;
  static const char *vendors[] = {"Alpha", "Beta", "Gamma"};
  static const char *ids[] = {"s0", "s1", "s2", "s3"};
  uint64_t saved = rng_state;
  rng_state = 0x853c49e6748fea9bull;
  int planned = 0, infeasible = 0, errors = 0, single = 0, tiny = 0, huge = 0;
  for (int it = 0; it < 400; it++) {
    hp_scenario s;
    hp_candidate cands[4];
    hp_cap caps[8];
    random_base(&s, cands, caps, "x");
    double g = urand();
    s.gran = g < 0.6    ? HP_GRAN_SERVER
             : g < 0.85 ? HP_GRAN_CARD
                        : HP_GRAN_FRACTIONAL;
    double o = urand();
    s.objective = o < 0.7    ? HP_OBJ_CAPEX
                  : o < 0.85 ? HP_OBJ_TCO
                             : HP_OBJ_MAX_TOKENS;
    s.model.params = s.model.active_params = logu(1, 1e18);
    s.tokens_per_day = logu(1e-6, 1e18);
    s.peak_factor = logu(1, 100);
    size_t n = urand() < 0.3 ? 1 : (size_t)irand(1, 4);
    s.n_cands = n;
    s.cands = cands;
    for (size_t j = 0; j < n; j++) {
      hp_device_spec *sp = &cands[j].spec;
      sp->id = ids[j];
      sp->vendor = vendors[irand(0, 2)];
      sp->domestic = urand() < 0.5;
      sp->fig[HP_FIG_cards_per_server] = urand() < 0.1 ? 4096 : irand(1, 8);
      sp->fig[HP_FIG_fp16_tflops] = logu(1e-6, 1e18);
      sp->fig[HP_FIG_price_server_cny] = logu(1e-6, 1e18);
      sp->fig[HP_FIG_tdp_w] = logu(1e-6, 1e18);
      cands[j].mfu = urand() < 0.8 ? 0.5 : logu(1e-6, 1);
    }
    int only_demand = s.objective == HP_OBJ_CAPEX;
    if (urand() < 0.3) {
      caps[s.n_caps].key = (char *)ids[irand(0, (int)n - 1)];
      caps[s.n_caps++].cards = logu(1, 1e18);
      only_demand = 0;
    }
    s.caps = caps;
    if (urand() < 0.3 || s.objective == HP_OBJ_MAX_TOKENS) {
      s.budget_cny = logu(1e-6, 1e18);
      only_demand = 0;
    }
    if (urand() < 0.2) {
      s.power_mw = logu(1e-6, 1e18);
      only_demand = 0;
    }
    if (urand() < 0.3) {
      s.dom_basis = (hp_share_basis)irand(0, 2);
      s.has_dom_min = 1;
      s.dom_min = irand(0, 10) / 10.0;
      only_demand = 0;
    }
    if (urand() < 0.2) {
      s.max_vendor_share = irand(4, 10) / 10.0;
      only_demand = 0;
    }
    if (urand() < 0.2)
      s.headroom = irand(0, 5) / 10.0;

    hp_scenario_result r;
    hp_diag d;
    assert_int_equal(hp_planner_solve(&s, fix_cat, &r, &d), HP_OK);
    if (r.status == HP_RESULT_ERROR) {
      assert_non_null(r.explanation);
      if (getenv("HP_TEST_VERBOSE")) {
        print_message("it %d: error: %s\n", it, r.explanation);
        print_message("  gran %d obj %d\n", (int)s.gran, (int)s.objective);
        dump_ip(&s);
      }
      errors++;
      hp_planner_result_cleanup(&r);
      continue;
    }
    if (r.status == HP_RESULT_INFEASIBLE) {
      /* one SKU and only a demand row is never infeasible */
      if (only_demand && n == 1)
        print_error("it %d: infeasible: %s\n", it, r.explanation);
      assert_false(only_demand && n == 1);
      infeasible++;
      hp_planner_result_cleanup(&r);
      continue;
    }
    planned++;
    /* The plan back from its lines, in this test's own units. */
    long double x[4] = {0}, tok[4], cards[4], capex[4], kw[4];
    for (size_t j = 0; j < n; j++) {
      const double *f = cands[j].spec.fig;
      long double cps = f[HP_FIG_cards_per_server];
      cards[j] = s.gran == HP_GRAN_CARD ? 1 : cps; /* a unit's cards */
      tok[j] = cards[j] * f[HP_FIG_fp16_tflops] * 1e12L * cands[j].mfu /
               (2.0L * s.model.active_params);
      capex[j] = f[HP_FIG_price_server_cny] * cards[j] / cps;
      kw[j] = cards[j] * f[HP_FIG_tdp_w] * s.pue / 1000.0L;
    }
    for (size_t i = 0; i < r.n_lines; i++) {
      size_t j = 0;
      while (j < n && strcmp(ids[j], r.lines[i].device) != 0)
        j++;
      assert_true(j < n);
      x[j] = r.lines[i].cards / cards[j];
      if (s.gran != HP_GRAN_FRACTIONAL) {
        if (x[j] != floorl(x[j] + 0.5L))
          print_error("it %d: %Lg units of %s\n", it, x[j], ids[j]);
        x[j] = floorl(x[j] + 0.5L);
      }
    }
    long double t = 0, k = 0, w = 0, all[3] = {0}, dom[3] = {0};
    for (size_t j = 0; j < n; j++) {
      long double b[3] = {x[j] * tok[j], x[j] * cards[j], x[j] * capex[j]};
      t += b[0];
      k += b[2];
      w += x[j] * kw[j];
      for (int q = 0; q < 3; q++) {
        all[q] += b[q];
        dom[q] += cands[j].spec.domestic ? b[q] : 0;
      }
    }
    const long double rel = 1e-13L;
    long double need = (long double)s.tokens_per_day / s.seconds_per_day *
                       s.peak_factor * (1 + (long double)s.headroom);
    if (s.objective != HP_OBJ_MAX_TOKENS) {
      if (!(t >= need * (1 - rel))) {
        print_error("it %d: delivers %.6Lg of %.6Lg tokens/s (%s)\n", it, t,
                    need, hp_result_status_name(r.status));
        print_error("  gran %d obj %d budget %g power %g caps %zu dom %d "
                    "vshare %g headroom %g\n",
                    (int)s.gran, (int)s.objective, s.budget_cny, s.power_mw,
                    s.n_caps, s.has_dom_min, s.max_vendor_share, s.headroom);
        dump_ip(&s);
        for (size_t j = 0; j < n; j++)
          print_error("  %s: x %.17Lg tok %.6Lg cards %.6Lg capex %.6Lg\n",
                      ids[j], x[j], tok[j], cards[j], capex[j]);
        for (size_t i = 0; i < r.n_lines; i++)
          print_error("  line %s: %.17g cards %.17g servers %.17g tok/s\n",
                      r.lines[i].device, r.lines[i].cards, r.lines[i].servers,
                      r.lines[i].tokens_per_s);
      }
      assert_true(t >= need * (1 - rel));
      tiny += need < 1e-3L;
      huge += need > 1e12L;
    }
    assert_true(!(s.budget_cny > 0) || k <= s.budget_cny * (1 + rel));
    assert_true(!(s.power_mw > 0) || w / 1000 <= s.power_mw * (1 + rel));
    for (size_t c = 0; c < s.n_caps; c++) {
      long double cc = 0;
      for (size_t j = 0; j < n; j++)
        if (strcmp(ids[j], s.caps[c].key) == 0)
          cc += x[j] * cards[j];
      assert_true(cc <= s.caps[c].cards * (1 + rel));
    }
    int bi = s.dom_basis == HP_BASIS_CARDS   ? 1
             : s.dom_basis == HP_BASIS_CAPEX ? 2
                                             : 0;
    if (s.has_dom_min)
      assert_true(dom[bi] >= s.dom_min * all[bi] - rel * all[bi]);
    for (size_t v = 0; s.max_vendor_share > 0 && v < n; v++) {
      long double vt = 0;
      for (size_t j = 0; j < n; j++)
        if (strcmp(cands[j].spec.vendor, cands[v].spec.vendor) == 0)
          vt += x[j] * tok[j];
      assert_true(vt <= s.max_vendor_share * t + rel * t);
    }
    /* The reported totals are the lines'. */
    assert_true(fabsl(r.delivered_tokens_per_s - t) <= 1e-12L * t);
    /* One SKU, a demand only: the least whole number of units. */
    if (only_demand && n == 1 && s.gran != HP_GRAN_FRACTIONAL) {
      single++;
      if (!(x[0] >= 1 && (x[0] - 1) * tok[0] < need * (1 + rel)))
        print_error("it %d: %.0Lf units of %.6Lg tokens/s for %.6Lg\n", it,
                    x[0], tok[0], need);
      assert_true(x[0] >= 1 && (x[0] - 1) * tok[0] < need * (1 + rel));
    }
    hp_planner_result_cleanup(&r);
  }
  rng_state = saved;
  print_message("extreme random plans: %d planned (%d single-SKU optima, %d "
                "demands under 1e-3 tokens/s, %d over 1e12), %d infeasible, "
                "%d errors\n",
                planned, single, tiny, huge, infeasible, errors);
  assert_true(planned >= 150);
  assert_true(single >= 15);
  assert_true(errors <= 40);
  assert_true(tiny >= 20);
  assert_true(huge >= 20);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(doubao_figure11_to_the_cent),
      cmocka_unit_test(hand_checked_constraints),
      cmocka_unit_test(max_tokens_within_budget),
      cmocka_unit_test(shares_reported_on_all_bases),
      cmocka_unit_test(infeasible_explained),
      cmocka_unit_test(share_figure_on_whole_cards),
      cmocka_unit_test(presolve_twins_and_singletons),
      cmocka_unit_test(start_prices_out_columns),
      cmocka_unit_test(node_limit_keeps_best_and_bound),
      cmocka_unit_test(random_vs_enumeration),
      cmocka_unit_test(exclusion_cut_walks_a_cap),
      cmocka_unit_test(random_plans_vs_figures),
      cmocka_unit_test(roofline_headroom_is_more_demand),
      cmocka_unit_test(vendor_share_explanation_terminates),
      cmocka_unit_test(tiny_demand_buys_one_server),
      cmocka_unit_test(huge_figures_plan_right),
      cmocka_unit_test(node_limited_status_in_every_format),
      cmocka_unit_test(node_limited_300_skus),
      cmocka_unit_test(random_extreme_plans_checked),
  };
  return cmocka_run_group_tests(tests, catalogs_setup, catalogs_teardown);
}
