/* test_services.c - services and shared capacity (issue 21).
 *
 *  - hand cases: two classes share one SKU's servers; a disaggregated
 *    service's pools and their network; a minimum order; max_skus; rent;
 *    a class no SKU can serve, explained; a throughput file;
 *  - 240 random instances (services x classes x SKUs x phases, with domestic
 *    shares, caps, budgets, minimum orders, max SKUs, network bounds, capex
 *    or rent) whose optimum must equal an exhaustive reference written here:
 *    every vector of whole servers per (SKU, pool) is enumerated, and for
 *    each the load fractions are a feasibility LP solved by a small dense
 *    simplex (Bland's rule, long double) that knows nothing of the planner's
 *    rows: it is built from the instance's own figures.
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

#include "hetplan.h"
#include "buf.h"
#include "planner.h"
#include "report.h"
#include "scenario.h"
#include "whatif.h"

#include "test_catalogs.h"

static hp_plan *solve_text(const char *text, const hp_catalog *cat) {
  hp_planfile *pf = NULL;
  hp_plan *plan = NULL;
  hp_diag d;
  hp_diag_clear(&d);
  int rc = hp_planfile_parse(text, strlen(text), "t.yaml", cat, &pf, &d);
  if (rc != HP_OK)
    print_error("%s:%d:%d: %s\n%s\n", d.file, d.line, d.column, d.msg, text);
  assert_int_equal(rc, HP_OK);
  assert_int_equal(hp_plan_solve(pf, cat, &plan, &d), HP_OK);
  hp_planfile_free(pf);
  return plan;
}

static const hp_plan_pool *pool(const hp_scenario_result *r, const char *dev,
                                const char *role) {
  for (size_t i = 0; i < r->n_pools; i++)
    if (strcmp(r->pools[i].device, dev) == 0 &&
        strcmp(r->pools[i].role, role) == 0)
      return &r->pools[i];
  return NULL;
}

static double pool_servers(const hp_scenario_result *r, const char *dev,
                           const char *role) {
  const hp_plan_pool *p = pool(r, dev, role);
  return p ? p->servers : 0;
}

/* ----------------------------------------------------------------------------
 * Hand cases (fixture catalog: alpha-a foreign 1,000,000 CNY, beta-c
 * domestic 300,000 CNY, 8 cards per server)
 * ------------------------------------------------------------------------- */

/* Two classes of 0.6 servers each on one SKU share 2 servers (not 1 + 1
 * per class rounded up separately: that would be 2 as well), and three of
 * 0.6 share 2, where per-class rounding takes 3. */
static void shared_capacity_rounds_once(void **state) {
  (void)state;
  const char *text =
      "name: t\n"
      "defaults:\n"
      "  devices: [alpha-a]\n"
      "  services:\n"
      "    - {name: s, model: {params: 1e9}, requests_per_s: 3,\n"
      "       requests: [{name: a, input_tokens: 50, output_tokens: 50},\n"
      "                  {name: b, input_tokens: 50, output_tokens: 50},\n"
      "                  {name: c, input_tokens: 50, output_tokens: 50}]}\n"
      "  throughput:\n"
      "    - {service: s, class: a, device: alpha-a, tokens_per_s: 500, "
      "source: bench}\n"
      "    - {service: s, class: b, device: alpha-a, requests_per_s: 5, "
      "source: bench}\n"
      "    - {service: s, class: c, device: alpha-a, tokens_per_s: 62.5, per: "
      "card, source: bench}\n"
      "scenarios: [{name: a}]\n";
  hp_plan *plan = solve_text(text, fix_cat);
  const hp_scenario_result *r = hp_plan_at(plan, 0);
  assert_int_equal(r->status, HP_RESULT_OPTIMAL);
  /* Each class: 1 request/s x 100 tokens = 100 tokens/s over 500 per
   * server: 0.2 servers; three share one server. */
  assert_true(fabs(r->servers - 1) < 1e-9);
  assert_int_equal(r->n_splits, 3);
  for (size_t i = 0; i < 3; i++) {
    assert_true(fabs(r->splits[i].fraction - 1) < 1e-9);
    assert_true(fabs(r->splits[i].servers - 0.2) < 1e-9);
    assert_int_equal(r->splits[i].measured, 1);
    assert_string_equal(r->splits[i].source, "bench");
  }
  assert_true(fabs(pool(r, "alpha-a", "colocated")->busy - 0.6) < 1e-9);
  hp_plan_free(plan);
}

/* Disaggregated: prefill on the cheap card, decode where it is served;
 * the KV traffic counts against each pool's network. */
static void disaggregated_pools_and_network(void **state) {
  (void)state;
  /* 100 requests/s of 1000 input tokens: 1e5 input tokens/s; KV: 2 x 80
   * layers x 8 KV heads x 128 x 2 bytes = 327,680 bytes/token, so 3.2768e10
   * bytes/s cross; one server's network is 5e10 bytes/s. */
  char text[2048];
  snprintf(text, sizeof text,
           "name: t\n"
           "defaults:\n"
           "  devices: [alpha-a, beta-c]\n"
           "  services:\n"
           "    - name: s\n"
           "      model: {params: 70e9, layers: 80, hidden_size: 8192, "
           "heads: 64, kv_heads: 8}\n"
           "      requests_per_s: %s\n"
           "      serving: disaggregated\n"
           "      requests: [{name: a, input_tokens: 1000, output_tokens: "
           "100}]\n"
           "  throughput:\n"
           "    - {service: s, device: alpha-a, phase: prefill, tokens_per_s: "
           "1e9, source: p}\n"
           "    - {service: s, device: beta-c, phase: prefill, tokens_per_s: "
           "1e9, source: p}\n"
           "    - {service: s, device: alpha-a, phase: decode, tokens_per_s: "
           "1e9, source: d}\n"
           "    - {service: s, device: beta-c, phase: decode, tokens_per_s: "
           "1e9, source: d}\n"
           "scenarios: [{name: a}]\n",
           "100");
  hp_plan *plan = solve_text(text, fix_cat);
  const hp_scenario_result *r = hp_plan_at(plan, 0);
  assert_int_equal(r->status, HP_RESULT_OPTIMAL);
  /* Compute is free (1e9 tokens/s a server): one beta-c server per pool. */
  assert_true(fabs(pool_servers(r, "beta-c", "prefill") - 1) < 1e-9);
  assert_true(fabs(pool_servers(r, "beta-c", "decode") - 1) < 1e-9);
  const hp_plan_pool *p = pool(r, "beta-c", "prefill");
  assert_true(fabs(p->kv_bytes_s - 3.2768e10) < 1);
  assert_true(fabs(p->network_bytes_s - 5e10) < 1);
  hp_plan_free(plan);
  /* 200 requests/s: 6.55e10 bytes/s needs two servers' network a pool. */
  snprintf(text, sizeof text,
           "name: t\n"
           "defaults:\n"
           "  devices: [alpha-a, beta-c]\n"
           "  services:\n"
           "    - name: s\n"
           "      model: {params: 70e9, layers: 80, hidden_size: 8192, "
           "heads: 64, kv_heads: 8}\n"
           "      requests_per_s: 200\n"
           "      serving: disaggregated\n"
           "      requests: [{name: a, input_tokens: 1000, output_tokens: "
           "100}]\n"
           "  throughput:\n"
           "    - {service: s, device: beta-c, phase: prefill, tokens_per_s: "
           "1e9, source: p}\n"
           "    - {service: s, device: beta-c, phase: decode, tokens_per_s: "
           "1e9, source: d}\n"
           "scenarios: [{name: a}, {name: capped, constraints: {caps: "
           "{beta-c: 24}}}]\n");
  plan = solve_text(text, fix_cat);
  r = hp_plan_at(plan, 0);
  assert_int_equal(r->status, HP_RESULT_OPTIMAL);
  assert_true(fabs(pool_servers(r, "beta-c", "prefill") - 2) < 1e-9);
  assert_true(fabs(pool_servers(r, "beta-c", "decode") - 2) < 1e-9);
  /* Three servers of beta-c cannot carry four pools' worth of network:
   * alpha-a takes a share (its broker figure serves the compute). */
  r = hp_plan_at(plan, 1);
  assert_int_equal(r->status, HP_RESULT_OPTIMAL);
  assert_true(pool_servers(r, "beta-c", "prefill") +
                  pool_servers(r, "beta-c", "decode") <=
              3 + 1e-9);
  hp_plan_free(plan);
}

static void orders_and_max_skus(void **state) {
  (void)state;
  /* Class a is cheapest on alpha-a (0.5 server), class b on beta-c
   * (1 server at 300,000 vs 2 alpha-a servers). */
  const char *fmt =
      "name: t\n"
      "defaults:\n"
      "  devices: [alpha-a, beta-c]\n"
      "  services:\n"
      "    - {name: s, model: {params: 1e9}, requests_per_s: 2,\n"
      "       requests: [{name: a, input_tokens: 50, output_tokens: 50},\n"
      "                  {name: b, input_tokens: 50, output_tokens: 50}]}\n"
      "  throughput:\n"
      "    - {service: s, class: a, device: alpha-a, tokens_per_s: 200, "
      "source: x}\n"
      "    - {service: s, class: a, device: beta-c, tokens_per_s: 10, "
      "source: x}\n"
      "    - {service: s, class: b, device: alpha-a, tokens_per_s: 50, "
      "source: x}\n"
      "    - {service: s, class: b, device: beta-c, tokens_per_s: 100, "
      "source: x}\n"
      "scenarios:\n"
      "  - {name: free}\n"
      "  - {name: one, constraints: {max_skus: 1}}\n"
      "  - {name: min3, constraints: {min_servers_per_sku: 3}}\n"
      "  - {name: none, constraints: {max_skus: 1, caps: {alpha-a: 8, "
      "beta-c: 8}}}\n";
  hp_plan *plan = solve_text(fmt, fix_cat);
  /* free: a on 1 alpha-a (0.5), b on 1 beta-c: 1,300,000. */
  assert_true(fabs(hp_plan_at(plan, 0)->capex_cny - 1300000) < 1e-6);
  /* one SKU: alpha-a for both (0.5 + 2 = 2.5 -> 3 servers, 3,000,000) or
   * beta-c (10 + 1 = 11 servers, 3,300,000): alpha-a. */
  assert_true(fabs(hp_plan_at(plan, 1)->capex_cny - 3000000) < 1e-6);
  assert_int_equal(hp_plan_at(plan, 1)->n_lines, 1);
  /* at least 3 servers of each SKU bought: 3 beta-c serve b and 2 of the
   * 10 servers a needs there... cheapest is 3 alpha-a (2,500,000 less
   * 0.5 server) = 3,000,000, or 3 beta-c + ... : 3 alpha-a alone. */
  assert_true(fabs(hp_plan_at(plan, 2)->capex_cny - 3000000) < 1e-6);
  /* one SKU, one server of each: nothing fits; the explanation names
   * the caps or max_skus. */
  const hp_scenario_result *r = hp_plan_at(plan, 3);
  assert_int_equal(r->status, HP_RESULT_INFEASIBLE);
  assert_non_null(strstr(r->explanation, "constraints.max_skus: 1"));
  hp_plan_free(plan);
}

static void rent_objective(void **state) {
  (void)state;
  const char *text =
      "name: t\n"
      "defaults:\n"
      "  devices: [alpha-a, beta-c]\n"
      "  objective: rent\n"
      "  overrides: {alpha-a: {price_hour_cny: 10}}\n"
      "  services:\n"
      "    - {name: s, model: {params: 1e9}, tokens_per_day: 8.64e6}\n"
      "  throughput:\n"
      "    - {service: s, device: alpha-a, tokens_per_s: 30, source: x}\n"
      "scenarios: [{name: a}]\n";
  hp_plan *plan = solve_text(text, fix_cat);
  const hp_scenario_result *r = hp_plan_at(plan, 0);
  assert_int_equal(r->status, HP_RESULT_OPTIMAL);
  /* 100 tokens/s over 30 a server: 4 servers at 10 CNY/h. */
  assert_true(fabs(r->rent_cny_per_hour - 40) < 1e-9);
  assert_int_equal(r->n_warnings, 1); /* beta-c has no hourly price */
  assert_non_null(strstr(r->warnings[0], "beta-c has no price_hour_cny"));
  hp_plan_free(plan);
}

/* A phase no SKU can serve is named, with each SKU's reason. */
static void unplaceable_explained(void **state) {
  (void)state;
  const char *text =
      "name: t\n"
      "defaults:\n"
      "  devices: [alpha-a]\n"
      "  objective: rent\n"
      "  overrides: {alpha-a: {price_hour_cny: 10}}\n"
      "  services:\n"
      "    - {name: s, model: {params: 1e9}, tokens_per_day: 8.64e6}\n"
      "  constraints: {exclude_vendors: [Alpha]}\n"
      "scenarios: [{name: a}]\n";
  hp_plan *plan = solve_text(text, fix_cat);
  const hp_scenario_result *r = hp_plan_at(plan, 0);
  assert_int_equal(r->status, HP_RESULT_INFEASIBLE);
  assert_string_equal(r->explanation, "service 's', class 's' can be placed "
                                      "nowhere: alpha-a: vendor excluded");
  hp_plan_free(plan);
}

/* Infeasible: the network between pools, a minimum order, max SKUs,
 * each named with its figures. */
static void explanations_name_the_new_rows(void **state) {
  (void)state;
  const char *text =
      "name: ex\n"
      "defaults:\n"
      "  devices: [alpha-a, beta-c]\n"
      "  services:\n"
      "    - name: d\n"
      "      model: {params: 7e10, layers: 80, hidden_size: 8192, heads: 64, "
      "kv_heads: 8}\n"
      "      requests_per_s: 300\n"
      "      serving: disaggregated\n"
      "      requests: [{name: q, input_tokens: 1000, output_tokens: 100}]\n"
      "  throughput:\n"
      "    - {service: d, device: beta-c, phase: prefill, tokens_per_s: 1e9, "
      "source: y}\n"
      "    - {service: d, device: beta-c, phase: decode, tokens_per_s: 1e9, "
      "source: y}\n"
      "    - {service: d, device: alpha-a, phase: prefill, tokens_per_s: 1e9, "
      "source: y}\n"
      "    - {service: d, device: alpha-a, phase: decode, tokens_per_s: 1e9, "
      "source: y}\n"
      "scenarios:\n"
      "  - {name: net, constraints: {caps: {beta-c: 16, alpha-a: 8}}}\n"
      "  - {name: order, constraints: {min_servers_per_sku: 3, caps: "
      "{beta-c: 16, alpha-a: 16}}}\n"
      "  - {name: skus, constraints: {max_skus: 1, caps: {beta-c: 24, "
      "alpha-a: 8}}}\n";
  hp_plan *plan = solve_text(text, fix_cat);
  /* 300 requests/s x 1000 tokens x 327,680 bytes = 98.3 GB/s each way; a
   * server carries 50: two servers a pool, four in all, three allowed. */
  assert_string_equal(
      hp_plan_at(plan, 0)->explanation,
      "blocking (dropped alone, each lets the services fit): the network "
      "between prefill and decode pools (the KV cache crosses at 98.30 GB/s "
      "at peak; a server's network carries at most 50.00 GB/s, so each pool "
      "needs at least 2 servers' network); the supply caps "
      "(constraints.caps)");
  assert_string_equal(
      hp_plan_at(plan, 1)->explanation,
      "blocking (dropped alone, each lets the services fit): "
      "constraints.min_servers_per_sku: 3 (an SKU in fewer servers is no "
      "order); the supply caps (constraints.caps)");
  /* beta-c alone has 3 servers for 4 pools' worth of network */
  assert_non_null(
      strstr(hp_plan_at(plan, 2)->explanation, "constraints.max_skus: 1"));
  hp_plan_free(plan);
}

/* ----------------------------------------------------------------------------
 * The reference: a dense simplex for feasibility
 * ------------------------------------------------------------------------- */

#define LP_ROWS 40
#define LP_COLS 40

typedef struct lp {
  int m, n;
  long double a[LP_ROWS][LP_COLS];
  long double b[LP_ROWS];
  int type[LP_ROWS]; /* 0 =, 1 <=, -1 >= */
} lp;

/* 1 if {x >= 0 : rows} is non-empty: phase 1 of the simplex, an
 * artificial per row, Bland's rule. */
static int lp_feasible(const lp *p) {
  enum { W = LP_COLS + 2 * LP_ROWS + 1 };
  static long double t[LP_ROWS + 1][W];
  int m = p->m, n = p->n, basis[LP_ROWS];
  int cols = n + 2 * m, rhs = cols;
  memset(t, 0, sizeof t);
  for (int i = 0; i < m; i++) {
    long double sg = p->b[i] < 0 ? -1 : 1;
    for (int j = 0; j < n; j++)
      t[i][j] = sg * p->a[i][j];
    if (p->type[i] != 0)
      t[i][n + i] = sg * (p->type[i] == 1 ? 1 : -1);
    t[i][n + m + i] = 1;
    t[i][rhs] = sg * p->b[i];
    basis[i] = n + m + i;
  }
  /* objective row: minimise the artificials = reduce the row sums */
  for (int j = 0; j <= cols; j++) {
    long double s = 0;
    if (j >= n + m && j < cols)
      continue;
    for (int i = 0; i < m; i++)
      s += t[i][j];
    t[m][j] = s; /* reduced "profit" of entering j */
  }
  for (int it = 0; it < 10000; it++) {
    int e = -1;
    for (int j = 0; j < n + m; j++)
      if (t[m][j] > 1e-12L) {
        e = j;
        break;
      }
    if (e < 0)
      break;
    int l = -1;
    long double best = 0;
    for (int i = 0; i < m; i++)
      if (t[i][e] > 1e-12L) {
        long double q = t[i][rhs] / t[i][e];
        if (l < 0 || q < best - 1e-15L ||
            (fabsl(q - best) <= 1e-15L && basis[i] < basis[l])) {
          l = i;
          best = q;
        }
      }
    if (l < 0)
      break; /* unbounded direction: cannot happen in phase 1 */
    long double pv = t[l][e];
    for (int j = 0; j <= cols; j++)
      t[l][j] /= pv;
    for (int i = 0; i <= m; i++) {
      if (i == l || t[i][e] == 0)
        continue;
      long double f = t[i][e];
      for (int j = 0; j <= cols; j++)
        t[i][j] -= f * t[l][j];
    }
    basis[l] = e;
  }
  return t[m][rhs] < 1e-9L;
}

/* ----------------------------------------------------------------------------
 * Random instances
 * ------------------------------------------------------------------------- */

static uint64_t rng = 42;
static unsigned rnd(unsigned n) {
  rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
  return (unsigned)((rng >> 33) % n);
}

#define KV_PER_TOKEN 327680.0 /* 2 x 80 layers x 8 KV heads x 128 x 2 B */
#define NET_BYTES_S 5e10      /* 400 Gbit/s */

static const char *const sku_ids[] = {"alpha-a", "beta-b", "beta-c", "gamma-d"};
static const double sku_price[] = {1e6, 2e6, 3e5, 3e6};
static const int sku_dom[] = {0, 1, 1, 1};

typedef struct inst {
  int nsku, sku[3];
  double hour[3];
  int nsv, dis[2], ncls[2];
  double rps[2], share[2][2], in[2][2], out[2][2];
  /* servers one cell takes on one SKU: f[sv][cls][phase 0/1][sku] */
  double f[2][2][2][3];
  int rows_as_requests[2][2][2][3];
  int rent;
  double headroom, dom_min, budget;
  int cap_sku, cap_cards, min_order, max_skus;
  int frac; /* granularity: fractional (continuous servers) */
} inst;

typedef struct ref_cell {
  int sv, cls, role; /* role 0 colocated, 1 prefill, 2 decode */
  double tokens, load, req, kv;
  double coef[3]; /* servers at x = 1 per SKU */
} ref_cell;

static int roles_of(const inst *q, int used[3]) {
  used[0] = used[1] = used[2] = 0;
  for (int s = 0; s < q->nsv; s++) {
    if (q->dis[s])
      used[1] = used[2] = 1;
    else
      used[0] = 1;
  }
  return used[0] + used[1] + used[2];
}

static void gen(inst *q) {
  memset(q, 0, sizeof *q);
  int shape = (int)rnd(3); /* 0 colocated, 1 disaggregated, 2 mixed */
  q->nsv = shape == 2 ? 2 : 1 + (int)rnd(2);
  for (int s = 0; s < q->nsv; s++)
    q->dis[s] = shape == 1 ? 1 : shape == 2 ? s == 1 : 0;
  q->nsku = shape == 0 ? 2 + (int)rnd(2) : shape == 1 ? 2 : 1;
  int perm[4] = {0, 1, 2, 3};
  for (int i = 3; i > 0; i--) {
    int j = (int)rnd((unsigned)i + 1), t = perm[i];
    perm[i] = perm[j];
    perm[j] = t;
  }
  static const double hours[] = {10, 25, 40};
  for (int k = 0; k < q->nsku; k++) {
    q->sku[k] = perm[k];
    q->hour[k] = hours[rnd(3)];
  }
  static const double ins[] = {500, 1000, 2000}, outs[] = {100, 200, 400};
  static const double fs[] = {0.3, 0.6, 1.0, 1.4, 2.0};
  for (int s = 0; s < q->nsv; s++) {
    q->ncls[s] = 1 + (int)rnd(2);
    double in_avg = 0;
    for (int c = 0; c < q->ncls[s]; c++) {
      q->share[s][c] = 1 + rnd(3);
      q->in[s][c] = ins[rnd(3)];
      q->out[s][c] = outs[rnd(3)];
      in_avg += q->in[s][c];
    }
    in_avg /= q->ncls[s];
    static const double ks[] = {0.3, 1.0, 2.0};
    /* disaggregated: KV traffic worth 0.3 to 2 servers' network */
    q->rps[s] = q->dis[s] ? ks[rnd(3)] * NET_BYTES_S / (in_avg * KV_PER_TOKEN)
                          : 1 + rnd(20);
    for (int c = 0; c < q->ncls[s]; c++)
      for (int p = 0; p < 2; p++)
        for (int k = 0; k < q->nsku; k++) {
          q->f[s][c][p][k] = fs[rnd(5)] / q->ncls[s];
          q->rows_as_requests[s][c][p][k] = (int)rnd(2);
        }
  }
  q->rent = rnd(5) < 2;
  q->headroom = rnd(5) == 0 ? 0.1 : 0;
  q->dom_min = rnd(10) < 3 ? (rnd(2) ? 0.2 : 0.5) : 0;
  q->budget = rnd(5) == 0 ? 1e6 * (2 + rnd(8)) : 0;
  q->cap_sku = rnd(10) < 3 ? (int)rnd((unsigned)q->nsku) : -1;
  q->cap_cards = 8 * (1 + (int)rnd(3));
  q->min_order = rnd(10) < 3 ? 2 + (int)rnd(2) : 0;
  q->max_skus = rnd(10) < 3 ? 1 + (int)rnd(2) : 0;
}

/* Class tokens of phase p (0 colocated: in + out; prefill in; decode out)
 * at peak, before headroom. */
static double cell_tokens(const inst *q, int s, int c, int role) {
  double tot = 0;
  for (int k = 0; k < q->ncls[s]; k++)
    tot += q->share[s][k];
  double rps = q->rps[s] * q->share[s][c] / tot;
  double tok = role == 0   ? q->in[s][c] + q->out[s][c]
               : role == 1 ? q->in[s][c]
                           : q->out[s][c];
  return rps * tok;
}

static void write_plan(const inst *q, char *buf, size_t size) {
  size_t n = 0;
#define P(...) n += (size_t)snprintf(buf + n, size - n, __VA_ARGS__)
  P("name: r\ndefaults:\n  devices: [");
  for (int k = 0; k < q->nsku; k++)
    P("%s%s", k ? ", " : "", sku_ids[q->sku[k]]);
  P("]\n");
  if (q->rent) {
    P("  objective: rent\n  overrides:\n");
    for (int k = 0; k < q->nsku; k++)
      P("    %s: {price_hour_cny: %g}\n", sku_ids[q->sku[k]], q->hour[k]);
  }
  P("  services:\n");
  for (int s = 0; s < q->nsv; s++) {
    P("    - name: s%d\n      model: {params: 70e9, layers: 80, hidden_size: "
      "8192, heads: 64, kv_heads: 8}\n      requests_per_s: %.17g\n",
      s, q->rps[s]);
    if (q->dis[s])
      P("      serving: disaggregated\n");
    P("      requests:\n");
    for (int c = 0; c < q->ncls[s]; c++)
      P("        - {name: c%d, share: %g, input_tokens: %g, output_tokens: "
        "%g}\n",
        c, q->share[s][c], q->in[s][c], q->out[s][c]);
  }
  P("  throughput:\n");
  for (int s = 0; s < q->nsv; s++)
    for (int c = 0; c < q->ncls[s]; c++)
      for (int p = 0; p < (q->dis[s] ? 2 : 1); p++)
        for (int k = 0; k < q->nsku; k++) {
          int role = q->dis[s] ? 1 + p : 0;
          double tok = cell_tokens(q, s, c, role) / q->f[s][c][p][k];
          double per_req = role == 0   ? q->in[s][c] + q->out[s][c]
                           : role == 1 ? q->in[s][c]
                                       : q->out[s][c];
          P("    - {service: s%d, class: c%d, device: %s, ", s, c,
            sku_ids[q->sku[k]]);
          if (q->dis[s])
            P("phase: %s, ", p ? "decode" : "prefill");
          if (q->rows_as_requests[s][c][p][k])
            P("requests_per_s: %.17g, ", tok / per_req);
          else
            P("tokens_per_s: %.17g, ", tok);
          P("source: r}\n");
        }
  if (q->frac)
    P("  granularity: fractional\n");
  P("  constraints:\n    headroom: %g\n", q->headroom);
  if (q->dom_min > 0)
    P("    domestic_share: {min: %g}\n", q->dom_min);
  if (q->budget > 0)
    P("    budget_cny: %g\n", q->budget);
  if (q->cap_sku >= 0)
    P("    caps: {%s: %d}\n", sku_ids[q->sku[q->cap_sku]], q->cap_cards);
  if (q->min_order)
    P("    min_servers_per_sku: %d\n", q->min_order);
  if (q->max_skus)
    P("    max_skus: %d\n", q->max_skus);
  P("scenarios: [{name: a}]\n");
#undef P
}

typedef struct ref {
  const inst *q;
  ref_cell cells[16];
  int nc;
  int cols_sku[9], cols_role[9], ncols;
  int y[9], ymax;
  double best;
  int found;
} ref;

/* The LP over load fractions for servers y: feasible? */
static int fractions_fit(const ref *R) {
  const inst *q = R->q;
  lp p;
  memset(&p, 0, sizeof p);
  int nk = q->nsku;
  p.n = R->nc * nk;
  /* each cell served whole */
  for (int e = 0; e < R->nc; e++) {
    for (int k = 0; k < nk; k++)
      p.a[p.m][e * nk + k] = 1;
    p.b[p.m] = 1;
    p.type[p.m++] = 0;
  }
  for (int c = 0; c < R->ncols; c++) {
    int k = R->cols_sku[c], role = R->cols_role[c];
    for (int e = 0; e < R->nc; e++)
      if (R->cells[e].role == role)
        p.a[p.m][e * nk + k] = R->cells[e].coef[k];
    p.b[p.m] = R->y[c];
    p.type[p.m++] = 1;
    if (role == 0)
      continue;
    for (int e = 0; e < R->nc; e++)
      if (R->cells[e].role == role)
        p.a[p.m][e * nk + k] = R->cells[e].req * R->cells[e].kv / 1e9;
    p.b[p.m] = R->y[c] * NET_BYTES_S / 1e9;
    p.type[p.m++] = 1;
  }
  if (q->dom_min > 0) {
    double tot = 0;
    for (int e = 0; e < R->nc; e++)
      tot += R->cells[e].tokens;
    for (int e = 0; e < R->nc; e++)
      for (int k = 0; k < nk; k++)
        p.a[p.m][e * nk + k] =
            (sku_dom[q->sku[k]] - q->dom_min) * R->cells[e].tokens / tot;
    p.b[p.m] = 0;
    p.type[p.m++] = -1;
  }
  return lp_feasible(&p);
}

static void enumerate(ref *R, int c, double cost) {
  const inst *q = R->q;
  if (R->found && cost >= R->best - 1e-9)
    return;
  if (c == R->ncols) {
    double servers[3] = {0, 0, 0};
    for (int i = 0; i < R->ncols; i++)
      servers[R->cols_sku[i]] += R->y[i];
    int skus = 0;
    double capex = 0;
    for (int k = 0; k < q->nsku; k++) {
      skus += servers[k] > 0;
      capex += servers[k] * sku_price[q->sku[k]];
      if (servers[k] > 0 && q->min_order && servers[k] < q->min_order)
        return;
    }
    if (q->max_skus && skus > q->max_skus)
      return;
    if (q->budget > 0 && capex > q->budget * (1 + 1e-12))
      return;
    if (q->cap_sku >= 0 && servers[q->cap_sku] * 8 > q->cap_cards)
      return;
    if (!fractions_fit(R))
      return;
    R->best = cost;
    R->found = 1;
    return;
  }
  int k = R->cols_sku[c];
  double unit = q->rent ? q->hour[k] : sku_price[q->sku[k]];
  for (int v = 0; v <= R->ymax; v++) {
    R->y[c] = v;
    enumerate(R, c + 1, cost + v * unit);
  }
  R->y[c] = 0;
}

/* Fractional servers: for each set of SKUs that may be bought (at most
 * max_skus of them), the cheapest fleet is an LP over load fractions and
 * continuous servers, each SKU of the set in at least min_order servers
 * and every other in none. Its optimum is found by bisection on a cost row
 * (sum of unit cost / C x servers <= 1) with the feasibility simplex. */
static int frac_fits(const ref *R, unsigned set, double cost) {
  const inst *q = R->q;
  lp p;
  memset(&p, 0, sizeof p);
  int nk = q->nsku, y0 = R->nc * nk;
  p.n = y0 + R->ncols;
  for (int e = 0; e < R->nc; e++) {
    for (int k = 0; k < nk; k++)
      p.a[p.m][e * nk + k] = 1;
    p.b[p.m] = 1;
    p.type[p.m++] = 0;
  }
  for (int c = 0; c < R->ncols; c++) {
    int k = R->cols_sku[c], role = R->cols_role[c];
    for (int e = 0; e < R->nc; e++)
      if (R->cells[e].role == role)
        p.a[p.m][e * nk + k] = R->cells[e].coef[k];
    p.a[p.m][y0 + c] = -1;
    p.type[p.m++] = 1;
    if (role != 0) {
      for (int e = 0; e < R->nc; e++)
        if (R->cells[e].role == role)
          p.a[p.m][e * nk + k] = R->cells[e].req * R->cells[e].kv / 1e9;
      p.a[p.m][y0 + c] = -NET_BYTES_S / 1e9;
      p.type[p.m++] = 1;
    }
    if (!(set >> k & 1)) {
      p.a[p.m][y0 + c] = 1;
      p.type[p.m++] = 0;
    }
  }
  for (int k = 0; k < nk; k++) {
    if (!(set >> k & 1) || !q->min_order)
      continue;
    for (int c = 0; c < R->ncols; c++)
      p.a[p.m][y0 + c] = R->cols_sku[c] == k;
    p.b[p.m] = q->min_order;
    p.type[p.m++] = -1;
  }
  if (q->dom_min > 0) {
    double tot = 0;
    for (int e = 0; e < R->nc; e++)
      tot += R->cells[e].tokens;
    for (int e = 0; e < R->nc; e++)
      for (int k = 0; k < nk; k++)
        p.a[p.m][e * nk + k] =
            (sku_dom[q->sku[k]] - q->dom_min) * R->cells[e].tokens / tot;
    p.type[p.m++] = -1;
  }
  if (q->budget > 0) {
    for (int c = 0; c < R->ncols; c++)
      p.a[p.m][y0 + c] = sku_price[q->sku[R->cols_sku[c]]] / q->budget;
    p.b[p.m] = 1;
    p.type[p.m++] = 1;
  }
  if (q->cap_sku >= 0) {
    for (int c = 0; c < R->ncols; c++)
      p.a[p.m][y0 + c] = R->cols_sku[c] == q->cap_sku ? 8 : 0;
    p.b[p.m] = q->cap_cards;
    p.type[p.m++] = 1;
  }
  for (int c = 0; c < R->ncols; c++) {
    int k = R->cols_sku[c];
    p.a[p.m][y0 + c] = (q->rent ? q->hour[k] : sku_price[q->sku[k]]) / cost;
  }
  p.b[p.m] = 1;
  p.type[p.m++] = 1;
  assert_true(p.m <= LP_ROWS && p.n <= LP_COLS);
  return lp_feasible(&p);
}

static void frac_best(ref *R) {
  const inst *q = R->q;
  for (unsigned set = 1; set < 1u << q->nsku; set++) {
    int skus = 0;
    for (int k = 0; k < q->nsku; k++)
      skus += set >> k & 1;
    if (q->max_skus && skus > q->max_skus)
      continue;
    double hi = R->found ? R->best : 1e9, lo = 0;
    if (!frac_fits(R, set, hi))
      continue;
    for (int it = 0; it < 80 && hi - lo > 1e-10 * hi; it++) {
      double mid = 0.5 * (lo + hi);
      if (frac_fits(R, set, mid))
        hi = mid;
      else
        lo = mid;
    }
    R->best = hi;
    R->found = 1;
  }
}

static void reference(const inst *q, ref *R) {
  memset(R, 0, sizeof *R);
  R->q = q;
  for (int s = 0; s < q->nsv; s++)
    for (int c = 0; c < q->ncls[s]; c++)
      for (int p = 0; p < (q->dis[s] ? 2 : 1); p++) {
        ref_cell *e = &R->cells[R->nc++];
        double tot = 0;
        for (int k = 0; k < q->ncls[s]; k++)
          tot += q->share[s][k];
        e->sv = s;
        e->cls = c;
        e->role = q->dis[s] ? 1 + p : 0;
        e->tokens = cell_tokens(q, s, c, e->role);
        e->load = e->tokens * (1 + q->headroom);
        e->req = q->rps[s] * q->share[s][c] / tot * (1 + q->headroom);
        e->kv = e->role ? q->in[s][c] * KV_PER_TOKEN : 0;
        for (int k = 0; k < q->nsku; k++)
          e->coef[k] = q->f[s][c][p][k] * (1 + q->headroom);
      }
  int used[3];
  roles_of(q, used);
  for (int k = 0; k < q->nsku; k++)
    for (int r = 0; r < 3; r++)
      if (used[r]) {
        R->cols_sku[R->ncols] = k;
        R->cols_role[R->ncols++] = r;
      }
  if (q->frac) {
    frac_best(R);
    return;
  }
  /* Whole servers per pool: the loads here need at most 9 (cells of at
   * most 2 servers, x 1.1 headroom, 4 cells a pool), minimum orders 3. */
  R->ymax = R->ncols <= 3 ? 10 : 9;
  enumerate(R, 0, 0);
}

static void random_instances_match_reference(void **state) {
  (void)state;
  char text[16384];
  int feasible = 0, infeasible = 0, swept = 0, shapes[3] = {0, 0, 0};
  for (int i = 0; i < 240; i++) {
    inst q;
    ref R;
    gen(&q);
    write_plan(&q, text, sizeof text);
    reference(&q, &R);
    hp_plan *plan = solve_text(text, fix_cat);
    const hp_scenario_result *r = hp_plan_at(plan, 0);
    int used[3];
    shapes[roles_of(&q, used) - 1]++;
    if (!R.found) {
      if (r->status != HP_RESULT_INFEASIBLE)
        print_error("instance %d: reference infeasible, planner %s %g\n%s\n", i,
                    hp_result_status_name(r->status), r->capex_cny, text);
      assert_int_equal(r->status, HP_RESULT_INFEASIBLE);
      assert_non_null(r->explanation);
      infeasible++;
    } else {
      double got = q.rent ? r->rent_cny_per_hour : r->capex_cny;
      if (r->status != HP_RESULT_OPTIMAL || fabs(got - R.best) > 1e-6 * R.best)
        print_error("instance %d: reference %.10g, planner %s %.10g\n%s\n", i,
                    R.best, hp_result_status_name(r->status), got, text);
      assert_int_equal(r->status, HP_RESULT_OPTIMAL);
      assert_true(fabs(got - R.best) <= 1e-6 * R.best);
      assert_int_equal(r->repaired, 0);
      /* every (service, class, phase) is served whole */
      double frac[16] = {0};
      for (size_t k = 0; k < r->n_splits; k++) {
        const hp_plan_split *sp = &r->splits[k];
        int s = sp->service[1] - '0', c = sp->request_class[1] - '0';
        int e = 0;
        while (e < R.nc &&
               !(R.cells[e].sv == s && R.cells[e].cls == c &&
                 strcmp(sp->phase, R.cells[e].role == 0   ? "both"
                                   : R.cells[e].role == 1 ? "prefill"
                                                          : "decode") == 0))
          e++;
        assert_true(e < R.nc);
        frac[e] += sp->fraction;
        assert_int_equal(sp->measured, 1);
      }
      for (int e = 0; e < R.nc; e++)
        assert_true(fabs(frac[e] - 1) < 1e-6);
      if (i % 4 == 0) {
        /* A sweep point of the same scenario (src/whatif.c) sums the same
         * columns: same objective; delivered tokens/s = the load served
         * (fractions are not rounded as if they were servers). */
        hp_planfile *pf = NULL;
        hp_diag d;
        hp_wi_row row;
        double served = 0;
        for (int e = 0; e < R.nc; e++)
          served += R.cells[e].tokens;
        memset(&row, 0, sizeof row);
        assert_int_equal(
            hp_planfile_parse(text, strlen(text), "t.yaml", fix_cat, &pf, &d),
            HP_OK);
        assert_int_equal(hp_wi_solve_row(hp_planfile_scenario(pf, 0), NULL, 0,
                                         &row, NULL, NULL, NULL, &d),
                         HP_OK);
        assert_int_equal(row.status, HP_RESULT_OPTIMAL);
        if (!q.rent)
          assert_true(fabs(row.capex_cny - R.best) <= 1e-6 * R.best);
        assert_true(fabs(row.delivered_tokens_per_s - served) <= 1e-6 * served);
        hp_planfile_free(pf);
        swept++;
      }
      feasible++;
    }
    hp_plan_free(plan);
  }
  print_message("services: %d feasible, %d infeasible instances (%d also as "
                "sweep points); %d with one pool role, %d with two, %d with "
                "three\n",
                feasible, infeasible, swept, shapes[0], shapes[1], shapes[2]);
  assert_true(feasible >= 100);
  assert_true(infeasible >= 10);
}

/* Fractional servers with minimum orders and max SKUs (binary picks beside
 * continuous servers): the optimum equals the reference's, unrepaired, and
 * no SKU is bought below its minimum order or beyond max_skus. Before the
 * fix, GLPK's noise (a server column at 1e-15 beside a pick at 0) failed
 * the check, or its repair bought an idle minimum order. */
static void fractional_picks_match_reference(void **state) {
  (void)state;
  char text[16384];
  int feasible = 0, infeasible = 0;
  rng = 2107;
  for (int i = 0; i < 120; i++) {
    inst q;
    ref R;
    gen(&q);
    q.frac = 1;
    if (!q.min_order && !q.max_skus) {
      if (rnd(2))
        q.min_order = 2 + (int)rnd(4);
      else
        q.max_skus = 1 + (int)rnd(2);
    }
    write_plan(&q, text, sizeof text);
    reference(&q, &R);
    hp_plan *plan = solve_text(text, fix_cat);
    const hp_scenario_result *r = hp_plan_at(plan, 0);
    if (!R.found) {
      if (r->status != HP_RESULT_INFEASIBLE)
        print_error("instance %d: reference infeasible, planner %s\n%s\n", i,
                    hp_result_status_name(r->status), text);
      assert_int_equal(r->status, HP_RESULT_INFEASIBLE);
      infeasible++;
      hp_plan_free(plan);
      continue;
    }
    double got = q.rent ? r->rent_cny_per_hour : r->capex_cny;
    if (r->status != HP_RESULT_OPTIMAL || r->repaired ||
        fabs(got - R.best) > 1e-6 * R.best)
      print_error("instance %d: reference %.10g, planner %s%s %.10g (%s)\n%s\n",
                  i, R.best, hp_result_status_name(r->status),
                  r->repaired ? " repaired" : "", got,
                  r->explanation ? r->explanation : "", text);
    assert_int_equal(r->status, HP_RESULT_OPTIMAL);
    assert_int_equal(r->repaired, 0);
    assert_true(fabs(got - R.best) <= 1e-6 * R.best);
    if (q.max_skus)
      assert_true(r->n_lines <= (size_t)q.max_skus);
    for (size_t k = 0; k < r->n_lines; k++)
      assert_true(r->lines[k].servers >= q.min_order * (1 - 1e-9));
    feasible++;
    hp_plan_free(plan);
  }
  print_message("services, fractional servers with picks: %d feasible, %d "
                "infeasible instances\n",
                feasible, infeasible);
  assert_true(feasible >= 60);
}

/* throughput: {file: PATH}, relative to the plan; the reports show the
 * pools, the splits and the row's source; explain gives the cell. */
static void throughput_file_and_reports(void **state) {
  (void)state;
  const char *text =
      "name: t\n"
      "defaults:\n"
      "  devices: [alpha-a]\n"
      "  objective: rent\n"
      "  overrides: {alpha-a: {price_hour_cny: 12.5}}\n"
      "  services:\n"
      "    - {name: s, model: {params: 1e9}, tokens_per_day: 8.64e6}\n"
      "  throughput: {file: services/rows.yaml}\n"
      "scenarios: [{name: a}]\n";
  hp_planfile *pf = NULL;
  hp_plan *plan = NULL;
  hp_diag d;
  char path[512];
  snprintf(path, sizeof path, "%s/plan.yaml", HP_TEST_DATA);
  assert_int_equal(
      hp_planfile_parse(text, strlen(text), path, fix_cat, &pf, &d), HP_OK);
  assert_int_equal(hp_plan_solve(pf, fix_cat, &plan, &d), HP_OK);
  const hp_scenario_result *r = hp_plan_at(plan, 0);
  /* 100 tokens/s over 25 a server: 4 servers, 50 CNY/h. */
  assert_int_equal(r->status, HP_RESULT_OPTIMAL);
  assert_true(fabs(r->rent_cny_per_hour - 50) < 1e-9);
  assert_string_equal(r->splits[0].source, "file bench");
  hp_buf b;
  hp_buf_init(&b);
  hp_report_text_table(plan, &b);
  assert_non_null(strstr(b.data, "rent: 50.00 CNY/h for the fleet"));
  assert_non_null(strstr(b.data, "measured: s/s both on alpha-a: file bench"));
  assert_non_null(strstr(b.data, "alpha-a  colocated        4"));
  hp_buf_cleanup(&b);
  hp_buf_init(&b);
  assert_int_equal(hp_report_json(plan, &b), HP_OK);
  assert_non_null(strstr(b.data, "\"rent_cny_per_hour\": 50"));
  assert_non_null(strstr(b.data, "\"source\": \"file bench\""));
  hp_buf_cleanup(&b);
  hp_buf_init(&b);
  hp_report_explain(hp_planfile_scenario(pf, 0), 0, &b);
  assert_non_null(strstr(b.data, "class 's': load 100 tokens/s at peak; 25 "
                                 "tokens/s per server (measured: file "
                                 "bench); all of it would take 4.00 servers"));
  hp_buf_cleanup(&b);
  hp_plan_free(plan);
  hp_planfile_free(pf);
}

/* A sweep point (src/whatif.c) sums the same columns as the plan: a load
 * split 2/3 : 1/3 over two SKUs stays split (fractions are not rounded as
 * servers are: rounded, the domestic share would read 1). */
static void sweep_point_keeps_fractions(void **state) {
  (void)state;
  const char *text =
      "name: t\n"
      "defaults:\n"
      "  devices: [alpha-a, beta-c]\n"
      "  services:\n"
      "    - {name: s, model: {params: 1e9}, tokens_per_day: 12.96e6}\n"
      "  throughput:\n"
      "    - {service: s, device: alpha-a, tokens_per_s: 50, source: x}\n"
      "    - {service: s, device: beta-c, tokens_per_s: 100, source: x}\n"
      "  constraints: {caps: {beta-c: 8}}\n"
      "scenarios: [{name: a}]\n";
  hp_plan *plan = solve_text(text, fix_cat);
  const hp_scenario_result *r = hp_plan_at(plan, 0);
  assert_true(fabs(r->capex_cny - 1300000) < 1e-6);
  assert_true(fabs(r->domestic_share_compute - 2.0 / 3) < 1e-9);
  hp_planfile *pf = NULL;
  hp_diag d;
  hp_wi_row row;
  memset(&row, 0, sizeof row);
  assert_int_equal(
      hp_planfile_parse(text, strlen(text), "t.yaml", fix_cat, &pf, &d), HP_OK);
  assert_int_equal(hp_wi_solve_row(hp_planfile_scenario(pf, 0), NULL, 0, &row,
                                   NULL, NULL, NULL, &d),
                   HP_OK);
  assert_true(fabs(row.capex_cny - 1300000) < 1e-6);
  assert_true(fabs(row.share_compute - 2.0 / 3) < 1e-9);
  assert_true(fabs(row.delivered_tokens_per_s - 150) < 1e-9);
  hp_planfile_free(pf);
  hp_plan_free(plan);
}

/* A workload with what only services have (max_skus, rent) is one
 * service named after its model; the docs' hand case (9 alpha-a + 5
 * beta-c under a 30% cards mandate, 7 + 15 under compute) becomes all
 * beta-c under max_skus 1. */
static void workload_becomes_one_service(void **state) {
  (void)state;
  const char *text =
      "name: t\n"
      "defaults:\n"
      "  devices: [alpha-a, beta-c]\n"
      "  workload: {model: {params: 5e11}, tokens_per_day: 8.64e7}\n"
      "  mfu: 0.5\n"
      "  constraints: {domestic_share: {min: 0.3}}\n"
      "scenarios:\n"
      "  - {name: plain}\n"
      "  - {name: one, constraints: {max_skus: 1}}\n"
      "  - {name: rent, objective: rent, overrides: {alpha-a: "
      "{price_hour_cny: 9}, beta-c: {price_hour_cny: 1}}}\n";
  hp_plan *plan = solve_text(text, fix_cat);
  const hp_scenario_result *r = hp_plan_at(plan, 0);
  assert_int_equal(r->n_services, 0);
  assert_true(fabs(r->capex_cny - 11500000) < 1e-6);
  r = hp_plan_at(plan, 1);
  assert_int_equal(r->n_services, 1);
  assert_string_equal(r->splits[0].service, "workload");
  assert_true(fabs(r->capex_cny - 15000000) < 1e-6);
  assert_int_equal(r->n_lines, 1);
  /* rent: alpha-a 100 tokens/s for 9 CNY/h, beta-c 20 for 1: beta-c is
   * 0.05 CNY/h per token/s against 0.09: 50 beta-c, 50 CNY/h. */
  r = hp_plan_at(plan, 2);
  assert_true(fabs(r->rent_cny_per_hour - 50) < 1e-9);
  hp_plan_free(plan);
}

/* `workload:` plans are untouched: no services, no pools. */
static void workload_plans_have_no_pools(void **state) {
  (void)state;
  const char *text = "name: t\n"
                     "defaults:\n"
                     "  devices: [alpha-a]\n"
                     "  workload: {model: {params: 5e11}, tokens_per_day: "
                     "8.64e7}\n"
                     "  mfu: 0.5\n"
                     "scenarios: [{name: a}]\n";
  hp_plan *plan = solve_text(text, fix_cat);
  const hp_scenario_result *r = hp_plan_at(plan, 0);
  assert_int_equal(r->n_services, 0);
  assert_int_equal(r->n_pools, 0);
  assert_int_equal(r->n_splits, 0);
  assert_true(fabs(r->servers - 10) < 1e-9);
  hp_plan_free(plan);
}

/* ----------------------------------------------------------------------------
 * Allocation failures: parse, solve (optimal, infeasible and explained,
 * orders) and render fail cleanly at every allocation
 * ------------------------------------------------------------------------- */

static long fail_at, n_allocs, live;

typedef union hdr {
  size_t size;
  max_align_t align;
} hdr;

static int should_fail(void) {
  n_allocs++;
  return fail_at > 0 && n_allocs == fail_at;
}
static void *t_malloc(size_t size, void *ud) {
  (void)ud;
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

static int run_services(char **out, size_t *len) {
  const char *text =
      "name: t\n"
      "defaults:\n"
      "  devices: [alpha-a, beta-c]\n"
      "  services:\n"
      "    - {name: s, model: {params: 1e9}, requests_per_s: 2,\n"
      "       requests: [{name: a, input_tokens: 50, output_tokens: 50},\n"
      "                  {name: b, input_tokens: 50, output_tokens: 50}]}\n"
      "    - name: d\n"
      "      model: {params: 7e10, layers: 80, hidden_size: 8192, heads: 64,\n"
      "              kv_heads: 8}\n"
      "      requests_per_s: 100\n"
      "      serving: disaggregated\n"
      "      requests: [{name: q, input_tokens: 1000, output_tokens: 100}]\n"
      "  throughput:\n"
      "    - {service: s, class: a, device: alpha-a, tokens_per_s: 200, "
      "source: x}\n"
      "    - {service: d, device: beta-c, phase: prefill, tokens_per_s: 1e6, "
      "source: y}\n"
      "  mfu: 0.5\n"
      "scenarios:\n"
      "  - {name: free}\n"
      "  - {name: orders, constraints: {min_servers_per_sku: 2, max_skus: "
      "2}}\n"
      "  - {name: none, constraints: {max_skus: 1, caps: {alpha-a: 8, "
      "beta-c: 8}}}\n";
  hp_planfile *pf = NULL;
  hp_plan *plan = NULL;
  hp_buf b;
  int rc = hp_planfile_parse(text, strlen(text), "t.yaml", fix_cat, &pf, NULL);
  if (rc == HP_OK)
    rc = hp_plan_solve(pf, fix_cat, &plan, NULL);
  hp_buf_init(&b);
  if (rc == HP_OK) {
    hp_report_text_table(plan, &b);
    rc = b.oom ? HP_ENOMEM : hp_report_json(plan, &b);
  }
  if (rc == HP_OK && b.oom)
    rc = HP_ENOMEM;
  if (rc == HP_OK)
    rc = hp_buf_detach(&b, out, len);
  hp_buf_cleanup(&b);
  hp_plan_free(plan);
  hp_planfile_free(pf);
  return rc;
}

static void allocation_failures_fail_cleanly(void **state) {
  (void)state;
  hp_set_allocator(&counting);
  fail_at = n_allocs = live = 0;
  char *want = NULL, *out = NULL;
  size_t ref_len = 0, len = 0;
  assert_int_equal(run_services(&want, &ref_len), HP_OK);
  long total = n_allocs, failed = 0;
  assert_non_null(strstr(want, "blocking"));
  for (fail_at = 1; fail_at <= total; fail_at++) {
    n_allocs = 0;
    int rc = run_services(&out, &len);
    if (rc == HP_OK) { /* an optional allocation: the same report */
      assert_true(len == ref_len && memcmp(out, want, len) == 0);
      hp_free(out);
    } else {
      assert_int_equal(rc, HP_ENOMEM);
      failed++;
    }
    assert_int_equal(live, 1); /* want */
  }
  hp_free(want);
  hp_set_allocator(NULL);
  print_message("services: %ld allocations walked, %ld failed cleanly\n", total,
                failed);
  assert_true(failed > total / 2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(shared_capacity_rounds_once),
      cmocka_unit_test(disaggregated_pools_and_network),
      cmocka_unit_test(orders_and_max_skus),
      cmocka_unit_test(rent_objective),
      cmocka_unit_test(unplaceable_explained),
      cmocka_unit_test(explanations_name_the_new_rows),
      cmocka_unit_test(workload_plans_have_no_pools),
      cmocka_unit_test(throughput_file_and_reports),
      cmocka_unit_test(sweep_point_keeps_fractions),
      cmocka_unit_test(workload_becomes_one_service),
      cmocka_unit_test(allocation_failures_fail_cleanly),
      cmocka_unit_test(random_instances_match_reference),
      cmocka_unit_test(fractional_picks_match_reference),
  };
  return cmocka_run_group_tests(tests, catalogs_setup, catalogs_teardown);
}
