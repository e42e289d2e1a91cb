/* periods_bench.c - issue 22's measurements of the multi-period program.
 *
 *   periods_bench forms [N] [SEED] [FIRST]  N random 3-5-period instances over
 * the full catalog (devices/), each solved under the three formulations
 *                                    (periods.h): time per solve, nodes,
 *                                    and the optima checked equal
 *   periods_bench solve PLAN [RUNS]  each scenario of PLAN solved RUNS
 *                                    times in process (no myopic plan):
 *                                    min and median ms, and the objective
 *
 * Random instances: 3-5 periods of 0.5-1 year; demand 2e11-2e12
 * tokens/day at 86,400 s/day growing by 0-60% a period; every card of the
 * catalog on sale in a period with probability 0.8; prices falling 0-15%
 * a period; a fleet of 1-3 random SKUs aged 0-4 years with lifetimes of
 * 2-5 years; a domestic mandate that ramps from 0 to 0.3-0.8; in half the
 * instances a budget per period, in half a delivery cap per vendor.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hetplan.h"
#include "periods.h"
#include "scenario.h"

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double urand(void) { return rand() / (RAND_MAX + 1.0); }

/* A random plan text over cat into buf. */
static void gen(const hp_catalog *cat, char *buf, size_t size) {
  size_t nc = hp_catalog_count(cat);
  int np = 3 + rand() % 3;
  size_t n = 0;
#define P(...) n += (size_t)snprintf(buf + n, size - n, __VA_ARGS__)
  P("name: random\ndefaults:\n"
    "  workload: {model: {params: 70e9}, tokens_per_day: 1e12}\n"
    "  mfu: 0.5\n  granularity: server\n  devices: all\n"
    "  discount_rate: %.2f\n  lifetime_years: %.1f\n",
    0.05 * (rand() % 3), 2.0 + rand() % 4);
  P("  fleet:\n");
  int nf = 1 + rand() % 3;
  size_t c0 = (size_t)rand() % nc; /* distinct SKUs: c0, c0 + 7, c0 + 14 */
  for (int f = 0; f < nf; f++)
    P("    %s: {servers: %d, age_years: %.1f}\n",
      hp_catalog_at(cat, (c0 + 7 * (size_t)f) % nc)->id, 20 + rand() % 400,
      0.5 * (rand() % 9));
  P("scenarios:\n  - name: r\n    periods:\n");
  double tpd = 2e11 + urand() * 1.8e12, mand = 0.3 + 0.5 * urand();
  int budget = rand() % 2, caps = rand() % 2;
  double fall = 1;
  for (int p = 0; p < np; p++) {
    P("      - name: p%d\n        years: %.1f\n", p, 0.5 + 0.5 * (rand() % 2));
    P("        workload: {tokens_per_day: %.6g}\n", tpd);
    P("        constraints: {domestic_share: {min: %.3f}", mand * p / (np - 1));
    if (caps)
      P(", caps: {vendor.NVIDIA: %d, vendor.Huawei: %d}",
        8 * (50 + rand() % 400), 8 * (50 + rand() % 400));
    P("}\n");
    if (budget)
      P("        budget_cny: %.0f\n", 2e8 + urand() * 2e9);
    P("        devices: [");
    const char *sep = "";
    for (size_t c = 0; c < nc; c++)
      if (urand() < 0.8 || c == 0) {
        P("%s%s", sep, hp_catalog_at(cat, c)->id);
        sep = ", ";
      }
    P("]\n        overrides: {");
    sep = "";
    for (size_t c = 0; c < nc; c++) {
      const hp_device_spec *sp = hp_catalog_at(cat, c);
      P("%s%s: {price_server_cny: %.0f}", sep, sp->id,
        sp->fig[HP_FIG_price_server_cny] * fall);
      sep = ", ";
    }
    P("}\n");
    tpd *= 1 + 0.6 * urand();
    fall *= 1 - 0.15 * urand();
  }
#undef P
}

/* The formulations measured (periods.h). */
static const int FORMS[] = {HP_PER_FORM_INSERVICE, HP_PER_FORM_PURCHASE,
                            HP_PER_FORM_BOTH,
                            HP_PER_FORM_BOTH | HP_PER_FORM_SEPARATE};
static const char *const FORM_NAMES[] = {
    "inservice: n int, b cont", "purchase: b int, n cont", "both int (default)",
    "both int, separate n"};
#define NF 4

static int forms(const hp_catalog *cat, int count, unsigned seed, int first) {
  static char text[1 << 17];
  srand(seed);
  double tsum[NF] = {0}, tmax[NF] = {0};
  long nsum[NF] = {0};
  int bad = 0, infeasible = 0, limited[NF] = {0}, errors[NF] = {0};
  printf("instance  periods  SKUs  status      inservice_ms  purchase_ms  "
         "both_ms  separate_ms  objective_cny\n");
  for (int i = 0; i < count; i++) {
    gen(cat, text, sizeof text);
    if (i < first)
      continue;
    if (getenv("PERIODS_BENCH_DUMP"))
      fputs(text, stderr);
    hp_planfile *pf = NULL;
    hp_diag d;
    hp_diag_clear(&d);
    if (hp_planfile_parse(text, strlen(text), "random.yaml", cat, &pf, &d) !=
        HP_OK) {
      fprintf(stderr, "instance %d: %s:%d:%d: %s\n", i, d.file, d.line,
              d.column, d.msg);
      return 1;
    }
    const hp_periods *P = hp_planfile_periods(pf, 0);
    double obj[NF] = {0}, ms[NF];
    int st[NF], proven[NF] = {0};
    for (int f = 0; f < NF; f++) {
      hp_periods_opts o = {FORMS[f], 0};
      hp_periods_result r;
      double t0 = now_ms();
      if (hp_periods_solve(P, "r", &o, &r, &d) != HP_OK) {
        /* GLPK fails now and then on these programs (an assertion in
         * glp_factorize): counted, not fatal. */
        ms[f] = now_ms() - t0;
        st[f] = -1;
        errors[f]++;
        continue;
      }
      ms[f] = now_ms() - t0;
      st[f] = (int)r.status;
      obj[f] = r.objective_cny;
      limited[f] += r.status == HP_RESULT_OPTIMAL && !r.proven;
      proven[f] = r.proven;
      tsum[f] += ms[f];
      nsum[f] += r.nodes;
      if (ms[f] > tmax[f])
        tmax[f] = ms[f];
      hp_periods_result_cleanup(&r);
    }
    int same = 1, ref = -1;
    for (int f = 0; f < NF; f++) {
      if (st[f] < 0)
        continue;
      if (ref < 0) {
        ref = f;
        continue;
      }
      if (st[f] != st[ref] || (st[f] == HP_RESULT_OPTIMAL &&
                               fabs(obj[f] - obj[ref]) > 1e-7 * fabs(obj[ref])))
        same = 0;
    }
    bad += !same;
    infeasible += ref >= 0 && st[ref] == HP_RESULT_INFEASIBLE;
    printf("%8d  %7zu  %4zu  %-10s  %12.1f  %11.1f  %7.1f  %11.1f  %.2f%s\n", i,
           P->n, P->n_skus,
           ref < 0 ? "error" : hp_result_status_name((hp_result_status)st[ref]),
           ms[0], ms[1], ms[2], ms[3], ref < 0 ? 0 : obj[ref],
           same ? "" : "  DIFFERENT OPTIMA");
    for (int f = 0; !same && f < NF; f++)
      printf("          %-26s %s %.6f%s\n", FORM_NAMES[f],
             st[f] < 0 ? "error"
                       : hp_result_status_name((hp_result_status)st[f]),
             obj[f], proven[f] ? "" : " (not proven: node limit)");
    fflush(stdout);
    hp_planfile_free(pf);
  }
  printf("\n%d instances (%d infeasible), %d with different optima\n", count,
         infeasible, bad);
  for (int f = 0; f < NF; f++)
    printf("%-26s total %9.1f ms, max %8.1f ms, %ld nodes, %d not proven "
           "(node limit), %d solver errors\n",
           FORM_NAMES[f], tsum[f], tmax[f], nsum[f], limited[f], errors[f]);
  return bad ? 1 : 0;
}

static int solve_plan(const hp_catalog *cat, const char *path, int runs,
                      int form) {
  hp_planfile *pf = NULL;
  hp_diag d;
  hp_diag_clear(&d);
  if (hp_planfile_load(path, cat, &pf, &d) != HP_OK) {
    fprintf(stderr, "%s:%d:%d: %s\n", d.file, d.line, d.column, d.msg);
    return 1;
  }
  for (size_t i = 0; i < hp_planfile_count(pf); i++) {
    const hp_periods *P = hp_planfile_periods(pf, i);
    if (!P)
      continue;
    double *t = calloc((size_t)runs, sizeof *t), obj = 0;
    size_t cols = 0, rows = 0;
    long nodes = 0;
    int proven = 0;
    for (int k = 0; k < runs; k++) {
      hp_periods_opts o = {form, 0};
      hp_periods_result r;
      double t0 = now_ms();
      if (hp_periods_solve(P, hp_planfile_scenario_name(pf, i), &o, &r, &d) !=
          HP_OK) {
        fprintf(stderr, "%s\n", d.msg);
        return 1;
      }
      t[k] = now_ms() - t0;
      obj = r.objective_cny;
      cols = r.n_cols;
      rows = r.n_rows;
      nodes = r.nodes;
      proven = r.status == HP_RESULT_OPTIMAL && r.proven;
      hp_periods_result_cleanup(&r);
    }
    qsort(t, (size_t)runs, sizeof *t, cmp);
    printf("{\"scenario\": \"%s\", \"periods\": %zu, \"skus\": %zu, "
           "\"cols\": %zu, \"rows\": %zu, \"nodes\": %ld, \"proven\": %s, "
           "\"min_ms\": %.3f, \"median_ms\": %.3f, \"objective_cny\": "
           "%.17g}\n",
           hp_planfile_scenario_name(pf, i), P->n, P->n_skus, cols, rows, nodes,
           proven ? "true" : "false", t[0], t[runs / 2], obj);
    free(t);
  }
  hp_planfile_free(pf);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: periods_bench forms [N] [SEED] | solve PLAN "
                    "[RUNS] [FORM]\n");
    return 2;
  }
  hp_catalog *cat = NULL;
  hp_diag d;
  if (hp_catalog_load(HETPLAN_SOURCE_DIR "/devices", &cat, &d) != HP_OK) {
    fprintf(stderr, "catalog: %s\n", d.msg);
    return 1;
  }
  int rc;
  if (strcmp(argv[1], "forms") == 0)
    rc = forms(cat, argc > 2 ? atoi(argv[2]) : 20,
               argc > 3 ? (unsigned)atoi(argv[3]) : 22u,
               argc > 4 ? atoi(argv[4]) : 0);
  else if (strcmp(argv[1], "solve") == 0 && argc > 2)
    rc = solve_plan(cat, argv[2], argc > 3 ? atoi(argv[3]) : 5,
                    argc > 4 ? atoi(argv[4]) : HP_PER_FORM_BOTH);
  else {
    fprintf(stderr, "periods_bench: unknown mode '%s'\n", argv[1]);
    rc = 2;
  }
  hp_catalog_free(cat);
  return rc;
}
