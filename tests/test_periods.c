/* test_periods.c - buying over time (issue 22): the periods loader and the
 * composed multi-period program.
 *
 *  - hand cases on the fixture catalog (tests/data/catalog; with params
 *    5e11 and mfu 0.5 every alpha-a and beta-b server gives 100 tokens/s,
 *    beta-c 20, gamma-d 200): buying early or late under a price that
 *    falls or rises and a discount rate; retirement at end of life; a SKU
 *    that stops being sold; an owned fleet that already suffices; a
 *    mandate ramp that forces early domestic purchases; a delivery cap that
 *    forces buying ahead of demand; an infeasible period, named;
 *  - every allocation failed in turn (load, solve, explain, render);
 *  - random 2-3-period instances whose optimum must equal an exhaustive
 *    enumeration written here from the catalog's figures (purchases per
 *    period and SKU, servers in service chosen per period), under all three
 *    formulations, with and without a separate in-service column.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "chart.h"
#include "hetplan.h"
#include "periods.h"
#include "planner.h"
#include "solver.h"
#include "scenario.h"

#include "test_catalogs.h"

/* The plan file of the last solve: a result borrows its names. */
static hp_planfile *last_pf;

static int teardown(void **state) {
  hp_planfile_free(last_pf);
  return catalogs_teardown(state);
}

static hp_planfile *load(const char *text) {
  hp_planfile *pf = NULL;
  hp_diag d;
  hp_diag_clear(&d);
  int rc = hp_planfile_parse(text, strlen(text), "t.yaml", fix_cat, &pf, &d);
  if (rc != HP_OK)
    print_error("%s:%d:%d: %s\n", d.file, d.line, d.column, d.msg);
  assert_int_equal(rc, HP_OK);
  return pf;
}

static void solve_form(const char *text, int form, hp_periods_result *r) {
  hp_planfile *pf = load(text);
  const hp_periods *P = hp_planfile_periods(pf, 0);
  assert_non_null(P);
  hp_periods_opts o = {form, 1};
  hp_diag d;
  hp_diag_clear(&d);
  int rc = hp_periods_solve(P, "t", &o, r, &d);
  if (rc != HP_OK)
    print_error("%s\n", d.msg);
  assert_int_equal(rc, HP_OK);
  hp_planfile_free(last_pf); /* the previous result is cleaned up */
  last_pf = pf;
}

static void solve(const char *text, hp_periods_result *r) {
  solve_form(text, HP_PER_FORM_BOTH, r);
}

static size_t sku(const hp_periods_result *r, const char *id) {
  for (size_t k = 0; k < r->n_skus; k++)
    if (strcmp(r->skus[k], id) == 0)
      return k;
  fail_msg("no SKU %s", id);
  return 0;
}

#define HEAD                                                                   \
  "name: t\n"                                                                  \
  "defaults:\n"                                                                \
  "  workload: {model: {params: 5e11}, tokens_per_day: 8640000}\n"             \
  "  mfu: 0.5\n"                                                               \
  "  power_price_cny_per_kwh: 0\n"

/* 100 tokens/s = 8,640,000 tokens/day. */

/* ----------------------------------------------------------------------------
 * Hand cases
 * ------------------------------------------------------------------------- */

/* Demand 100 then 200 tokens/s: the second server is bought early at 1M, or
 * a year later at 0.9M / 1.2M discounted at 10%: late when 0.9M/1.1 or
 * 1.0M/1.1 is below 1M, early when 1.2M/1.1 = 1.09M is above. */
static void early_or_late(void **state) {
  (void)state;
  static const struct {
    double price2, rate;
    double b0, b1;
  } cases[] = {{900000, 0, 1, 1}, {1000000, 0.1, 1, 1}, {1200000, 0.1, 2, 0}};
  for (size_t i = 0; i < 3; i++) {
    char text[2048];
    snprintf(text, sizeof text,
             HEAD "  devices: [alpha-a]\n"
                  "  discount_rate: %g\n"
                  "  periods:\n"
                  "    - {name: y1, years: 1}\n"
                  "    - name: y2\n"
                  "      years: 1\n"
                  "      workload: {tokens_per_day: 17280000}\n"
                  "      overrides: {alpha-a: {price_server_cny: %.0f}}\n"
                  "scenarios: [{name: s}]\n",
             cases[i].rate, cases[i].price2);
    hp_periods_result r;
    solve(text, &r);
    assert_int_equal(r.status, HP_RESULT_OPTIMAL);
    size_t a = sku(&r, "alpha-a");
    assert_float_equal(r.periods[0].sku[a].bought, cases[i].b0, 1e-9);
    assert_float_equal(r.periods[1].sku[a].bought, cases[i].b1, 1e-9);
    assert_float_equal(r.periods[1].sku[a].in_service, 2, 1e-9);
    double want =
        1e6 * cases[i].b0 + cases[i].price2 * cases[i].b1 / (1 + cases[i].rate);
    assert_float_equal(r.objective_cny, want, 1e-3);
    hp_periods_result_cleanup(&r);
  }
}

/* One alpha-a server aged 4 with a 5-year life serves the first year and
 * retires at the start of the second, which buys its replacement (not
 * earlier: a discount rate makes the later purchase cheaper). */
static void retirement_at_end_of_life(void **state) {
  (void)state;
  hp_periods_result r;
  solve(HEAD "  devices: [alpha-a]\n"
             "  lifetime_years: 5\n"
             "  discount_rate: 0.1\n"
             "  fleet: {alpha-a: {servers: 1, age_years: 4}}\n"
             "  periods: [{name: y1, years: 1}, {name: y2, years: 1}]\n"
             "scenarios: [{name: s}]\n",
        &r);
  assert_int_equal(r.status, HP_RESULT_OPTIMAL);
  size_t a = sku(&r, "alpha-a");
  assert_float_equal(r.periods[0].sku[a].bought, 0, 1e-9);
  assert_float_equal(r.periods[0].sku[a].retired, 0, 1e-9);
  assert_float_equal(r.periods[1].sku[a].retired, 1, 1e-9);
  assert_float_equal(r.periods[1].sku[a].bought, 1, 1e-9);
  assert_float_equal(r.capex_cny, 1e6, 1e-3);
  hp_periods_result_cleanup(&r);
  /* A per-SKU lifetime under overrides: 6 years keeps it serving. */
  solve(HEAD "  devices: [alpha-a]\n"
             "  lifetime_years: 5\n"
             "  overrides: {alpha-a: {lifetime_years: 6}}\n"
             "  fleet: {alpha-a: {servers: 1, age_years: 4}}\n"
             "  periods: [{name: y1, years: 1}, {name: y2, years: 1}]\n"
             "scenarios: [{name: s}]\n",
        &r);
  assert_float_equal(r.capex_cny, 0, 1e-9);
  hp_periods_result_cleanup(&r);
}

/* alpha-a (1M) is sold in y1 only, beta-b (2M) in both; demand 100 then
 * 200. Jointly, two alpha-a in y1 (2M); period by period, one alpha-a then
 * one beta-b (3M): the value of planning ahead is 1M. */
static void sku_stops_being_sold(void **state) {
  (void)state;
  hp_periods_result r;
  solve(HEAD "  devices: [alpha-a, beta-b]\n"
             "  periods:\n"
             "    - {name: y1, years: 1}\n"
             "    - name: y2\n"
             "      years: 1\n"
             "      devices: [beta-b]\n"
             "      workload: {tokens_per_day: 17280000}\n"
             "scenarios: [{name: s}]\n",
        &r);
  assert_int_equal(r.status, HP_RESULT_OPTIMAL);
  size_t a = sku(&r, "alpha-a"), b = sku(&r, "beta-b");
  assert_float_equal(r.periods[0].sku[a].bought, 2, 1e-9);
  assert_float_equal(r.periods[1].sku[a].bought, 0, 1e-9);
  assert_float_equal(r.periods[1].sku[b].bought, 0, 1e-9);
  assert_float_equal(r.objective_cny, 2e6, 1e-3);
  assert_int_equal(r.has_myopic, 1);
  assert_int_equal(r.myopic_status, HP_RESULT_OPTIMAL);
  assert_float_equal(r.myopic_objective_cny, 3e6, 1e-3);
  /* The engine's figures the renderers print: 1M CNY, 50% of 2M. */
  assert_float_equal(r.ahead_gain_cny, 1e6, 1e-3);
  assert_float_equal(r.ahead_gain_pct, 50, 1e-9);
  assert_float_equal(r.periods[0].bought_servers, 2, 1e-9);
  assert_float_equal(r.periods[1].bought_servers, 0, 1e-9);
  hp_periods_result_cleanup(&r);
}

/* Three owned alpha-a servers serve 200 tokens/s: nothing is bought, and
 * the owned servers cost only their electricity (0.4 CNY/kWh here). */
static void owned_fleet_suffices(void **state) {
  (void)state;
  hp_periods_result r;
  solve("name: t\n"
        "defaults:\n"
        "  workload: {model: {params: 5e11}, tokens_per_day: 17280000}\n"
        "  mfu: 0.5\n"
        "  devices: [alpha-a, beta-b]\n"
        "  fleet: {alpha-a: {servers: 3, age_years: 1}}\n"
        "  periods: [{name: y1, years: 1}, {name: y2, years: 2}]\n"
        "scenarios: [{name: s}]\n",
        &r);
  assert_int_equal(r.status, HP_RESULT_OPTIMAL);
  size_t a = sku(&r, "alpha-a");
  assert_float_equal(r.capex_cny, 0, 1e-9);
  for (size_t p = 0; p < 2; p++) {
    assert_float_equal(r.periods[p].sku[a].owned, 3, 1e-9);
    assert_float_equal(r.periods[p].sku[a].in_service, 2, 1e-9);
  }
  /* 2 servers x 8 cards x 800 W x 1.3 x 8760 h x 0.4 CNY/kWh x 3 years */
  double opex = 2 * 8 * 0.8 * 1.3 * 8760 * 0.4 * 3;
  assert_float_equal(r.opex_cny, opex, 1e-6 * opex);
  assert_float_equal(r.objective_cny, opex, 1e-6 * opex);
  hp_periods_result_cleanup(&r);
  /* An owned SKU that no period can buy (no price needed, none at 0)
   * still serves: the fleet is planned, nothing bought. */
  solve("name: t\n"
        "defaults:\n"
        "  workload: {model: {params: 5e11}, tokens_per_day: 17280000}\n"
        "  mfu: 0.5\n"
        "  devices: [beta-b]\n"
        "  fleet: {alpha-a: {servers: 3, age_years: 1}}\n"
        "  periods: [{name: y1, years: 1}, {name: y2, years: 2}]\n"
        "scenarios: [{name: s}]\n",
        &r);
  assert_int_equal(r.status, HP_RESULT_OPTIMAL);
  a = sku(&r, "alpha-a");
  assert_float_equal(r.capex_cny, 0, 1e-9);
  assert_float_equal(r.periods[1].sku[a].in_service, 2, 1e-9);
  hp_periods_result_cleanup(&r);
}

/* y2 must be all domestic (domestic_share.min 1) at 200 tokens/s, and only
 * one beta-b server (8 cards) can be delivered per period: y1 must already
 * buy a domestic server though alpha-a is cheaper. Period by period, y1
 * buys alpha-a and y2 cannot be planned. */
static void mandate_ramp_forces_early_domestic(void **state) {
  (void)state;
  hp_periods_result r;
  solve(HEAD "  devices: [alpha-a, beta-b]\n"
             "  constraints: {caps: {beta-b: 8}}\n"
             "  periods:\n"
             "    - {name: y1, years: 1}\n"
             "    - name: y2\n"
             "      years: 1\n"
             "      workload: {tokens_per_day: 17280000}\n"
             "      constraints: {domestic_share: {min: 1}}\n"
             "scenarios: [{name: s}]\n",
        &r);
  assert_int_equal(r.status, HP_RESULT_OPTIMAL);
  size_t a = sku(&r, "alpha-a"), b = sku(&r, "beta-b");
  assert_float_equal(r.periods[0].sku[b].bought, 1, 1e-9);
  assert_float_equal(r.periods[0].sku[a].bought, 0, 1e-9);
  assert_float_equal(r.periods[1].sku[b].bought, 1, 1e-9);
  assert_float_equal(r.periods[1].domestic_share_compute, 1, 1e-9);
  assert_int_equal(r.myopic_status, HP_RESULT_INFEASIBLE);
  assert_non_null(strstr(r.myopic_explanation, "'y2'"));
  hp_periods_result_cleanup(&r);
}

/* Demand 100 then 300 tokens/s; one alpha-a server (8 cards) can be
 * delivered per period: y1 buys two, one idle until y2. */
static void delivery_cap_buys_ahead(void **state) {
  (void)state;
  hp_periods_result r;
  solve(HEAD "  devices: [alpha-a]\n"
             "  periods:\n"
             "    - name: y1\n"
             "      years: 1\n"
             "      constraints: {caps: {alpha-a: 16}}\n"
             "    - name: y2\n"
             "      years: 1\n"
             "      workload: {tokens_per_day: 25920000}\n"
             "      constraints: {caps: {alpha-a: 8}}\n"
             "scenarios: [{name: s}]\n",
        &r);
  assert_int_equal(r.status, HP_RESULT_OPTIMAL);
  size_t a = sku(&r, "alpha-a");
  assert_float_equal(r.periods[0].sku[a].bought, 2, 1e-9);
  assert_float_equal(r.periods[0].sku[a].in_service, 1, 1e-9);
  assert_float_equal(r.periods[1].sku[a].bought, 1, 1e-9);
  assert_float_equal(r.periods[1].sku[a].in_service, 3, 1e-9);
  /* Bought counts servers bought, in service yet or not. */
  assert_float_equal(r.periods[0].bought_servers, 2, 1e-9);
  assert_float_equal(r.periods[1].bought_servers, 1, 1e-9);
  assert_int_equal(r.myopic_status, HP_RESULT_INFEASIBLE);
  hp_periods_result_cleanup(&r);
}

/* A budget per period limits that period's purchases (not the fleet's
 * worth): 1.5M a period buys one alpha-a server each. */
static void budget_per_period(void **state) {
  (void)state;
  hp_periods_result r;
  solve(HEAD "  devices: [alpha-a]\n"
             "  discount_rate: 0.1\n"
             "  fleet: {alpha-a: {servers: 2, age_years: 0}}\n"
             "  periods:\n"
             "    - {name: y1, years: 1, budget_cny: 1500000}\n"
             "    - name: y2\n"
             "      years: 1\n"
             "      budget_cny: 1500000\n"
             "      workload: {tokens_per_day: 25920000}\n"
             "scenarios: [{name: s}]\n",
        &r);
  assert_int_equal(r.status, HP_RESULT_OPTIMAL);
  size_t a = sku(&r, "alpha-a");
  assert_float_equal(r.periods[0].sku[a].bought, 0, 1e-9);
  assert_float_equal(r.periods[1].sku[a].bought, 1, 1e-9);
  hp_periods_result_cleanup(&r);
  /* 300 -> 500 tokens/s: three more servers, at most one per period, do
   * not fit; the explanation names y2 and its budget. */
  solve(HEAD "  devices: [alpha-a]\n"
             "  periods:\n"
             "    - {name: y1, years: 1, budget_cny: 1500000}\n"
             "    - name: y2\n"
             "      years: 1\n"
             "      budget_cny: 1500000\n"
             "      workload: {tokens_per_day: 25920000}\n"
             "scenarios: [{name: s}]\n",
        &r);
  assert_int_equal(r.status, HP_RESULT_INFEASIBLE);
  assert_non_null(strstr(r.explanation, "period 'y2' cannot be planned"));
  assert_non_null(strstr(r.explanation, "budget_cny"));
  hp_periods_result_cleanup(&r);
}

/* Periods from dates: 2025-01-01 to 2025-07-01 is 181 days. */
static void lengths_from_dates(void **state) {
  (void)state;
  hp_planfile *pf = load(HEAD "  devices: [alpha-a]\n"
                              "  periods:\n"
                              "    - {name: h1, start: 2025-01-01}\n"
                              "    - {name: h2, start: 2025-07-01, end: "
                              "2026-01-01}\n"
                              "scenarios: [{name: s}]\n");
  const hp_periods *P = hp_planfile_periods(pf, 0);
  assert_int_equal(P->n, 2);
  assert_float_equal(P->p[0].years, 181 / 365.25, 1e-12);
  assert_float_equal(P->p[1].years, 184 / 365.25, 1e-12);
  assert_float_equal(P->p[1].start_years, 181 / 365.25, 1e-12);
  hp_planfile_free(pf);
}

/* ----------------------------------------------------------------------------
 * Random instances against an exhaustive enumeration
 * ------------------------------------------------------------------------- */

/* Two SKUs: alpha-a (100 tokens/s, 8 x 800 W) and beta-c (20 tokens/s,
 * 8 x 100 W), prices per period, a fleet, lifetimes, demand per period.
 * Every purchase vector with up to MAXB servers per (period, SKU) is
 * tried; per period the servers in service are the cheapest whole mix of
 * owned servers that serves the demand. */
#define MAXB 5
typedef struct inst {
  int np;
  double years[3], start[3], demand[3]; /* tokens/s */
  double price[3][2];                   /* CNY per server */
  double fleet[2], age[2], life[2];
  double rate, kwh;
  int buyable[3][2];
} inst;

static const double TOK[2] = {100, 20};
static const double KW[2] = {8 * 0.8 * 1.3, 8 * 0.1 * 1.3};

static double exhaustive(const inst *I) {
  int nv = I->np * 2;
  long total = 1;
  for (int i = 0; i < nv; i++)
    total *= MAXB + 1;
  double best = HUGE_VAL;
  for (long code = 0; code < total; code++) {
    int b[3][2];
    long c = code;
    int bad = 0;
    for (int p = 0; p < I->np; p++)
      for (int k = 0; k < 2; k++) {
        b[p][k] = (int)(c % (MAXB + 1));
        c /= MAXB + 1;
        if (b[p][k] && !I->buyable[p][k])
          bad = 1;
      }
    if (bad)
      continue;
    double cost = 0;
    for (int p = 0; p < I->np && cost < HUGE_VAL; p++) {
      double disc = pow(1 + I->rate, -I->start[p]);
      int own[2];
      for (int k = 0; k < 2; k++) {
        own[k] =
            I->age[k] + I->start[p] < I->life[k] - 1e-9 ? (int)I->fleet[k] : 0;
        for (int q = 0; q <= p; q++)
          if (I->start[p] - I->start[q] < I->life[k] - 1e-9)
            own[k] += b[q][k];
        cost += b[p][k] * I->price[p][k] * disc;
      }
      double ob = HUGE_VAL;
      for (int n0 = 0; n0 <= own[0]; n0++)
        for (int n1 = 0; n1 <= own[1]; n1++)
          if (n0 * TOK[0] + n1 * TOK[1] >= I->demand[p] - 1e-9) {
            double o =
                (n0 * KW[0] + n1 * KW[1]) * 8760 * I->kwh * I->years[p] * disc;
            if (o < ob)
              ob = o;
          }
      cost += ob;
    }
    if (cost < best)
      best = cost;
  }
  return best;
}

static void random_vs_exhaustive(void **state) {
  (void)state;
  srand(2222);
  int solved = 0, infeasible = 0;
  for (int it = 0; it < 60; it++) {
    inst I;
    memset(&I, 0, sizeof I);
    I.np = 2 + rand() % 2;
    I.rate = (rand() % 3) * 0.05;
    I.kwh = (rand() % 3) * 0.4;
    double t = 0;
    for (int p = 0; p < I.np; p++) {
      I.years[p] = 0.5 + 0.5 * (rand() % 3);
      I.start[p] = t;
      t += I.years[p];
      I.demand[p] = 20 * (1 + rand() % 5);
      for (int k = 0; k < 2; k++) {
        I.price[p][k] = (k ? 150000 : 600000) + 50000 * (rand() % 6);
        I.buyable[p][k] = rand() % 5 != 0;
      }
    }
    for (int k = 0; k < 2; k++) {
      I.fleet[k] = rand() % 3;
      I.age[k] = rand() % 4;
      I.life[k] = 1 + rand() % 4;
    }
    char text[4096];
    int n = snprintf(
        text, sizeof text,
        "name: t\n"
        "defaults:\n"
        "  workload: {model: {params: 5e11}, tokens_per_day: 8640000}\n"
        "  mfu: 0.5\n"
        "  power_price_cny_per_kwh: %g\n"
        "  devices: [alpha-a, beta-c]\n"
        "  discount_rate: %g\n"
        "  overrides: {alpha-a: {lifetime_years: %g}, beta-c: "
        "{lifetime_years: %g}}\n"
        "  fleet: {alpha-a: {servers: %g, age_years: %g}, beta-c: "
        "{servers: %g, age_years: %g}}\n"
        "  periods:\n",
        I.kwh, I.rate, I.life[0], I.life[1], I.fleet[0], I.age[0], I.fleet[1],
        I.age[1]);
    for (int p = 0; p < I.np; p++) {
      n += snprintf(text + n, sizeof text - n,
                    "    - name: p%d\n      years: %g\n"
                    "      workload: {tokens_per_day: %.0f}\n"
                    "      overrides: {alpha-a: {price_server_cny: %.0f}, "
                    "beta-c: {price_server_cny: %.0f}}\n"
                    "      devices: [",
                    p, I.years[p], I.demand[p] * 86400, I.price[p][0],
                    I.price[p][1]);
      const char *sep = "";
      int any = 0;
      for (int k = 0; k < 2; k++)
        if (I.buyable[p][k]) {
          n += snprintf(text + n, sizeof text - n, "%s%s", sep,
                        k ? "beta-c" : "alpha-a");
          sep = ", ";
          any = 1;
        }
      if (!any) { /* a period must list a device: list one, not buyable */
        I.buyable[p][0] = 1;
        n += snprintf(text + n, sizeof text - n, "alpha-a");
      }
      n += snprintf(text + n, sizeof text - n, "]\n");
    }
    snprintf(text + n, sizeof text - n, "scenarios: [{name: s}]\n");
    double want = exhaustive(&I);
    static const int forms[] = {0, 1, 2, 4, 5, 6}; /* periods.h */
    for (size_t fi = 0; fi < sizeof forms / sizeof forms[0]; fi++) {
      int form = forms[fi];
      hp_periods_result r;
      solve_form(text, form, &r);
      if (want == HUGE_VAL) {
        /* None within MAXB per (period, SKU): either infeasible, or the
         * optimum buys more than the enumeration tried. */
        if (r.status == HP_RESULT_INFEASIBLE)
          infeasible += form == 0;
        else
          assert_int_equal(r.status, HP_RESULT_OPTIMAL);
      } else {
        if (r.status != HP_RESULT_OPTIMAL)
          fail_msg("instance %d form %d: %s, want %.2f\n%s", it, form,
                   hp_result_status_name(r.status), want, text);
        if (fabs(r.objective_cny - want) > 1e-6 * (1 + want))
          fail_msg("instance %d form %d: objective %.4f, enumeration %.4f\n%s",
                   it, form, r.objective_cny, want, text);
        solved += form == 0;
      }
      hp_periods_result_cleanup(&r);
    }
  }
  print_message("periods: %d instances equal to the enumeration, %d "
                "infeasible\n",
                solved, infeasible);
  assert_true(solved >= 30);
}

/* The fleet chart draws a planned result (SVG, so the text is there to
 * read) and refuses one without a plan. */
static void fleet_chart(void **state) {
  (void)state;
  hp_periods_result r;
  solve(HEAD "  devices: [alpha-a, beta-b]\n"
             "  periods:\n"
             "    - {name: y1, years: 1}\n"
             "    - name: y2\n"
             "      years: 1\n"
             "      devices: [beta-b]\n"
             "      workload: {tokens_per_day: 17280000}\n"
             "scenarios: [{name: s}]\n",
        &r);
  char *svg = NULL;
  size_t n = 0;
  hp_diag d;
  hp_diag_clear(&d);
  int rc = hp_chart_periods(&r, HP_CHART_SVG, &svg, &n, &d);
  if (rc == HP_ENOTSUP) {
    hp_periods_result_cleanup(&r);
    skip();
  }
  assert_int_equal(rc, HP_OK);
  assert_true(n > 1000);
  assert_non_null(strstr(svg, "<svg"));
  hp_free(svg);
  r.status = HP_RESULT_INFEASIBLE;
  assert_int_equal(hp_chart_periods(&r, HP_CHART_SVG, &svg, &n, &d), HP_EINVAL);
  hp_periods_result_cleanup(&r);
  hp_chart_shutdown();
}

/* ----------------------------------------------------------------------------
 * Allocation failures: every allocation of loading, solving (joint, myopic,
 * explained) and rendering fails in turn; each run ends in HP_ENOMEM with
 * nothing leaked, or (an optional allocation) in the same report.
 * ------------------------------------------------------------------------- */

static long fail_at, n_allocs, live;
typedef union hdr {
  size_t size;
  max_align_t align;
} hdr;
static int should_fail(void) { return fail_at > 0 && ++n_allocs == fail_at; }
static void *t_malloc(size_t size, void *ud) {
  (void)ud;
  if (fail_at == 0)
    n_allocs++;
  if (should_fail())
    return NULL;
  hdr *h = malloc(sizeof(hdr) + size);
  if (!h)
    return NULL;
  live++;
  return h + 1;
}
static void *t_realloc(void *p, size_t size, void *ud) {
  if (!p)
    return t_malloc(size, ud);
  if (fail_at == 0)
    n_allocs++;
  if (should_fail())
    return NULL;
  hdr *h = realloc((hdr *)p - 1, sizeof(hdr) + size);
  return h ? h + 1 : NULL;
}
static void t_free(void *p, void *ud) {
  (void)ud;
  if (!p)
    return;
  live--;
  free((hdr *)p - 1);
}
static const hp_allocator counting = {t_malloc, t_realloc, t_free, NULL};

static const char *fault_plan =
    HEAD "  devices: [alpha-a, beta-b]\n"
         "  discount_rate: 0.1\n"
         "  overrides: {alpha-a: {lifetime_years: 2}}\n"
         "  fleet: {alpha-a: [{servers: 1, age_years: 1}]}\n"
         "  periods:\n"
         "    - {name: y1, years: 1, budget_cny: 5000000}\n"
         "    - name: y2\n"
         "      start: 2026-01-01\n"
         "      end: 2027-01-01\n"
         "      devices: [beta-b]\n"
         "      workload: {tokens_per_day: 17280000}\n"
         "      constraints: {caps: {beta-b: 8}}\n"
         "scenarios:\n"
         "  - name: s\n"
         "  - name: short\n"
         "    constraints: {caps: {beta-b: 0}}\n";

static int fault_once(char **out) {
  hp_planfile *pf = NULL;
  hp_diag d;
  int rc = hp_planfile_parse(fault_plan, strlen(fault_plan), "f.yaml", fix_cat,
                             &pf, &d);
  if (rc != HP_OK)
    return rc;
  hp_periods_result r[2];
  memset(r, 0, sizeof r);
  hp_buf b;
  hp_buf_init(&b);
  for (size_t i = 0; i < 2 && rc == HP_OK; i++)
    rc = hp_periods_solve(hp_planfile_periods(pf, i),
                          hp_planfile_scenario_name(pf, i), NULL, &r[i], &d);
  if (rc == HP_OK)
    rc = hp_report_periods("f", r, 2, HP_FORMAT_JSON, &b);
  if (rc == HP_OK)
    rc = hp_buf_detach(&b, out, NULL);
  else
    hp_buf_cleanup(&b);
  for (size_t i = 0; i < 2; i++)
    hp_periods_result_cleanup(&r[i]);
  hp_planfile_free(pf);
  return rc;
}

static void fault_walk(void **state) {
  (void)state;
  hp_set_allocator(&counting);
  fail_at = n_allocs = live = 0;
  char *ref = NULL;
  assert_int_equal(fault_once(&ref), HP_OK);
  assert_non_null(strstr(ref, "\"infeasible\""));
  long total = n_allocs, failures = 0;
  assert_int_equal(live, 1); /* ref */
  for (fail_at = 1; fail_at <= total; fail_at++) {
    n_allocs = 0;
    live = 1;
    char *json = NULL;
    int rc = fault_once(&json);
    if (rc == HP_OK) {
      assert_string_equal(json, ref);
      hp_free(json);
    } else {
      if (rc != HP_ENOMEM)
        print_error("allocation %ld: %s\n", fail_at, hp_status_name(rc));
      assert_int_equal(rc, HP_ENOMEM);
      failures++;
    }
    if (live != 1)
      print_error("allocation %ld: %ld blocks leaked\n", fail_at, live - 1);
    assert_int_equal(live, 1);
  }
  hp_free(ref);
  hp_set_allocator(NULL);
  print_message("periods: %ld allocations walked, %ld failed cleanly\n", total,
                failures);
  assert_true(failures > total / 2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(early_or_late),
      cmocka_unit_test(retirement_at_end_of_life),
      cmocka_unit_test(sku_stops_being_sold),
      cmocka_unit_test(owned_fleet_suffices),
      cmocka_unit_test(mandate_ramp_forces_early_domestic),
      cmocka_unit_test(delivery_cap_buys_ahead),
      cmocka_unit_test(budget_per_period),
      cmocka_unit_test(lengths_from_dates),
      cmocka_unit_test(random_vs_exhaustive),
      cmocka_unit_test(fleet_chart),
      cmocka_unit_test(fault_walk),
  };
  return cmocka_run_group_tests(tests, catalogs_setup, teardown);
}
