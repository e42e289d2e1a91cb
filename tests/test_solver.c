/* test_solver.c - the second solver behind the seam (issue 23).
 *
 *  - GLPK (hp_solver_glpk_solve) and CBC (hp_solver_cbc_solve) agree, status
 * and objective to 1e-9 relative, on 300 random programs: integer and
 *    continuous columns, open, negative and free bounds, covering, upper,
 *    ranged and equality rows, infeasible and unbounded ones, feasible and
 *    infeasible hints; and on the shipped roofline plan's programs;
 *  - CBC's points are points of the program, at the objective it reports;
 *  - a node-limited GLPK search on whole-CNY prices reports a bound on
 *    the prices' gcd grid (GLPK's integral-objective rounding);
 *  - hp_solver_solve_with dispatches, and auto is GLPK on an easy program;
 *  - hp_ip_export_write_lp: names made LP-safe and unique, ranged rows split,
 * the file solved by `glpsol --lp` and by `cbc` to the same optimum, and a
 *    failed write leaves nothing behind.
 * Tests that need CBC skip when the build has none; the file round trip
 * skips the command it cannot find.
 */
#define _XOPEN_SOURCE 700 /* mkdtemp, popen */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hetplan.h"
#include "mem.h"
#include "planner.h"
#include "scenario.h"
#include "solver.h"
#include "solver_cbc.h"

/* ----------------------------------------------------------------------------
 * Random programs
 * ------------------------------------------------------------------------- */

static uint64_t rng_state;

static uint32_t rnd(void) {
  rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
  return (uint32_t)(rng_state >> 33);
}

/* An integer in [lo, hi]. */
static int rnd_in(int lo, int hi) {
  return lo + (int)(rnd() % (uint32_t)(hi - lo + 1));
}

/* What the generator was asked to make, to count the mix. */
enum { KIND_PLAIN, KIND_INFEASIBLE, KIND_UNBOUNDED };

/* Program number k of the sequence; kind says what was forced. */
static void random_ip(unsigned k, hp_ip *ip, int *kind) {
  rng_state = 0x9e3779b97f4a7c15ULL ^ (k * 0x100000001b3ULL);
  size_t n = (size_t)rnd_in(1, 7), m = (size_t)rnd_in(0, 5);
  *kind = k % 10 == 3   ? KIND_INFEASIBLE
          : k % 10 == 7 ? KIND_UNBOUNDED
                        : KIND_PLAIN;
  if (*kind == KIND_UNBOUNDED && n < 2)
    n = 2;
  assert_int_equal(hp_ip_init(ip, n), HP_OK);
  /* Objective scales: costs in CNY (1e5), in shares (0.37), plain. */
  static const double scales[] = {1, 1e5, 0.37, 3.5e4};
  double scale = scales[rnd() % 4];
  ip->maximize = rnd() % 5 == 0;
  ip->node_limit = 100000;
  for (size_t j = 0; j < n; j++) {
    ip->is_int[j] = rnd() % 5 < 3;
    ip->obj[j] = scale * rnd_in(-5, 10);
    int b = rnd_in(0, 9);
    ip->lb[j] = b < 6   ? 0
                : b < 8 ? -rnd_in(1, 5)
                : b < 9 ? rnd_in(1, 3)
                        : -HUGE_VAL;
    int u = rnd_in(0, 9);
    ip->ub[j] = u < 4 ? HUGE_VAL
                      : (ip->lb[j] > -HUGE_VAL ? ip->lb[j] : -3) +
                            rnd_in(0, 12) + (ip->is_int[j] ? 0 : 0.5);
  }
  /* Rows around an anchor point inside the bounds (integral where the
   * column is), which most rows admit; one in five is drawn without
   * regard to it, so that some programs are infeasible by chance. */
  double x0[8];
  for (size_t j = 0; j < n; j++) {
    double lo = ip->lb[j] > -HUGE_VAL ? ip->lb[j] : -4;
    double hi = ip->ub[j] < HUGE_VAL ? ip->ub[j] : lo + 10;
    x0[j] = lo + (hi - lo) * (rnd() % 1000) / 1000.0;
    if (ip->is_int[j])
      x0[j] = ceil(lo) + floor((hi - ceil(lo)) * (rnd() % 1000) / 1000.0);
  }
  for (size_t i = 0; i < m; i++) {
    double a[8], act = 0;
    for (size_t j = 0; j < n; j++) {
      a[j] = rnd() % 10 < 3 ? 0 : rnd_in(-3, 6);
      act += a[j] * x0[j];
    }
    /* the anchor's activity, or (one row in five) a random shift of it */
    double slack = rnd() % 5 == 0 ? rnd_in(-20, 20) : 0;
    char name[32];
    snprintf(name, sizeof name, "r%zu", i);
    int t = rnd_in(0, 3);
    double lo = -HUGE_VAL, hi = HUGE_VAL;
    if (t == 0) { /* covering */
      lo = floor(act) - rnd_in(0, 3) + slack;
    } else if (t == 1) { /* upper */
      hi = ceil(act) + rnd_in(0, 3) + slack;
    } else if (t == 2) { /* range */
      lo = floor(act) - rnd_in(0, 5) + slack;
      hi = ceil(act) + rnd_in(0, 5) + 0.5 + slack;
    } else { /* equality */
      lo = hi = round(act) + slack;
    }
    assert_int_equal(hp_ip_add_row(ip, name, a, lo, hi, NULL), HP_OK);
  }
  if (*kind == KIND_INFEASIBLE) {
    /* x0 >= 7 and x0 <= 4, as two rows: crossed bounds alone would be
     * caught before either solver ran. */
    double a[8] = {0};
    a[0] = 1;
    assert_int_equal(hp_ip_add_row(ip, "lo", a, 7, HUGE_VAL, NULL), HP_OK);
    assert_int_equal(hp_ip_add_row(ip, "hi", a, -HUGE_VAL, 4, NULL), HP_OK);
  } else if (*kind == KIND_UNBOUNDED) {
    /* The last column is in no row, unbounded in the objective's
     * direction: unbounded unless the rest is infeasible. */
    size_t j = n - 1;
    for (size_t i = 0; i < ip->n_rows; i++)
      ip->rows[i].a[j] = 0;
    ip->lb[j] = 0;
    ip->ub[j] = HUGE_VAL;
    ip->obj[j] = ip->maximize ? 2 : -2;
  }
  /* Keep the rest bounded: a column with an open bound in the objective's
   * direction is closed, unless it is the forced one. */
  for (size_t j = 0; j < n; j++) {
    if (*kind == KIND_UNBOUNDED && j == n - 1)
      continue;
    double dir = ip->maximize ? ip->obj[j] : -ip->obj[j];
    if (dir > 0 && ip->ub[j] == HUGE_VAL && rnd() % 4)
      ip->ub[j] = (ip->lb[j] > -HUGE_VAL ? ip->lb[j] : 0) + rnd_in(2, 20);
    if (dir < 0 && ip->lb[j] == -HUGE_VAL && rnd() % 4)
      ip->lb[j] = -rnd_in(0, 10);
  }
}

static int close_rel(double a, double b, double rel) {
  return fabs(a - b) <= rel * fmax(1.0, fmax(fabs(a), fabs(b)));
}

static double objective_at(const hp_ip *ip, const double *x) {
  double v = 0;
  for (size_t j = 0; j < ip->n_cols; j++)
    v += ip->obj[j] * x[j];
  return v;
}

static void skip_without_cbc(void) {
  if (!hp_solver_cbc_available())
    skip();
}

/* ----------------------------------------------------------------------------
 * GLPK and CBC agree
 * ------------------------------------------------------------------------- */

#define N_RANDOM 300

static void solver_glpk_cbc_agree_on_random_programs(void **state) {
  (void)state;
  skip_without_cbc();
  int seen[4] = {0}, with_int = 0, lp_only = 0, hinted = 0, forced[3] = {0},
      glpk_failed = 0;
  for (unsigned k = 0; k < N_RANDOM; k++) {
    hp_ip ip;
    int kind;
    random_ip(k, &ip, &kind);
    hp_ip_solution g, c;
    double *hint = NULL;
    hp_diag d;
    hp_diag_clear(&d);
    int grc = hp_solver_glpk_solve(&ip, &g, &d);
    if (grc == HP_ESOLVER && strstr(d.msg, "abnormal termination")) {
      /* libglpk 5.0's MIP presolver asserts (npp3.c: q->lb < q->ub) on
       * some programs whose integer equalities have no solution: CBC
       * must answer them, and auto hands them to CBC. */
      hp_ip_solution a;
      assert_int_equal(hp_solver_cbc_solve(&ip, &c, NULL), HP_OK);
      assert_int_not_equal(c.status, HP_SOL_ERROR);
      assert_int_equal(hp_solver_solve_with(&ip, HP_IP_AUTO, &a, NULL), HP_OK);
      assert_int_equal(a.status, c.status);
      glpk_failed++;
      hp_ip_solution_cleanup(&a);
      hp_ip_solution_cleanup(&c);
      hp_ip_cleanup(&ip);
      continue;
    }
    assert_int_equal(grc, HP_OK);
    /* Every fourth feasible program is solved by CBC from GLPK's optimum
     * as a hint, every fourth from a point that breaks the rows (to be
     * ignored): the hint never changes the optimal value. GLPK is solved
     * with the same hint too and must agree with its own hint-free answer:
     * its hinted path drops priced-out columns, and one at a nonzero lower
     * bound once kept its share of the rows (program 5 here broke a row). */
    if (g.status == HP_SOL_OPTIMAL && k % 4 == 1) {
      hint = hp_malloc(ip.n_cols * sizeof *hint);
      memcpy(hint, g.x, ip.n_cols * sizeof *hint);
    } else if (k % 4 == 2) {
      hint = hp_malloc(ip.n_cols * sizeof *hint);
      for (size_t j = 0; j < ip.n_cols; j++)
        hint[j] = rnd_in(-50, 50);
    }
    if (hint) {
      ip.hint = hint;
      hinted++;
    }
    assert_int_equal(hp_solver_cbc_solve(&ip, &c, NULL), HP_OK);
    if (g.status != c.status || (g.status == HP_SOL_OPTIMAL &&
                                 !close_rel(g.objective, c.objective, 1e-9))) {
      /* the program, for glpsol --lp or cbc to arbitrate */
      char path[64];
      snprintf(path, sizeof path, "/tmp/hp_test_solver_%u.lp", k);
      hp_ip_export_write_lp(&ip, NULL, path, NULL);
      fail_msg("program %u: GLPK status %d objective %.17g, CBC status %d "
               "objective %.17g (%s)",
               k, g.status, g.objective, c.status, c.objective, c.error);
    }
    if (hint) {
      hp_ip_solution h;
      if (hp_solver_glpk_solve(&ip, &h, NULL) == HP_OK) {
        if (h.status != g.status ||
            (g.status == HP_SOL_OPTIMAL &&
             (!close_rel(g.objective, h.objective, 1e-9) ||
              hp_ip_point_ok(&ip, h.x) < hp_ip_point_ok(&ip, g.x))))
          fail_msg("program %u: GLPK with a hint: status %d objective %.17g "
                   "point_ok %d, without: status %d objective %.17g point_ok "
                   "%d",
                   k, h.status, h.objective,
                   h.x ? hp_ip_point_ok(&ip, h.x) : -1, g.status, g.objective,
                   g.x ? hp_ip_point_ok(&ip, g.x) : -1);
        hp_ip_solution_cleanup(&h);
      }
    }
    assert_int_not_equal(c.status, HP_SOL_ERROR);
    if (c.status == HP_SOL_OPTIMAL) {
      /* CBC's point is a point of the program, at its objective. */
      assert_non_null(c.x);
      assert_true(hp_ip_point_ok(&ip, c.x));
      assert_true(close_rel(objective_at(&ip, c.x), c.objective, 1e-12));
      assert_false(c.node_limited);
      assert_false(c.within_gap);
    } else {
      assert_null(c.x);
    }
    seen[c.status]++;
    forced[kind] +=
        (kind == KIND_INFEASIBLE && c.status == HP_SOL_INFEASIBLE) ||
        (kind == KIND_UNBOUNDED && c.status == HP_SOL_UNBOUNDED);
    int any = 0;
    for (size_t j = 0; j < ip.n_cols; j++)
      any |= ip.is_int[j];
    with_int += any;
    lp_only += !any;
    hp_ip_solution_cleanup(&g);
    hp_ip_solution_cleanup(&c);
    hp_free(hint);
    hp_ip_cleanup(&ip);
  }
  /* The mix the sequence is meant to cover. */
  print_message("%d programs: %d optimal, %d infeasible, %d unbounded; "
                "%d with integer columns, %d continuous, %d hinted; GLPK "
                "failed on %d (CBC answered)\n",
                N_RANDOM, seen[HP_SOL_OPTIMAL], seen[HP_SOL_INFEASIBLE],
                seen[HP_SOL_UNBOUNDED], with_int, lp_only, hinted, glpk_failed);
  assert_true(seen[HP_SOL_OPTIMAL] >= 150);
  assert_true(seen[HP_SOL_INFEASIBLE] >= 30);
  assert_true(seen[HP_SOL_UNBOUNDED] >= 10);
  assert_true(forced[KIND_INFEASIBLE] == N_RANDOM / 10);
  assert_true(forced[KIND_UNBOUNDED] >= 10);
  assert_true(with_int >= 100 && lp_only >= 10);
  assert_true(hinted >= 100);
}

/* A program with no columns: feasible iff every row admits 0. */
static void solver_cbc_no_columns(void **state) {
  (void)state;
  skip_without_cbc();
  hp_ip ip;
  hp_ip_solution s;
  assert_int_equal(hp_ip_init(&ip, 0), HP_OK);
  double none[1] = {0};
  assert_int_equal(hp_ip_add_row(&ip, "r", none, -1, 1, NULL), HP_OK);
  assert_int_equal(hp_solver_cbc_solve(&ip, &s, NULL), HP_OK);
  assert_int_equal(s.status, HP_SOL_OPTIMAL);
  assert_true(s.objective == 0);
  hp_ip_solution_cleanup(&s);
  ip.rows[0].lo = 1;
  assert_int_equal(hp_solver_cbc_solve(&ip, &s, NULL), HP_OK);
  assert_int_equal(s.status, HP_SOL_INFEASIBLE);
  hp_ip_cleanup(&ip);
}

/* A knapsack whose optimum the search must find by branching:
 * max sum v_j x_j, sum w_j x_j <= cap, x_j in {0..3}. */
static void knapsack(hp_ip *ip, size_t n) {
  assert_int_equal(hp_ip_init(ip, n), HP_OK);
  double w[64];
  rng_state = 42;
  for (size_t j = 0; j < n; j++) {
    ip->is_int[j] = 1;
    ip->ub[j] = 3;
    w[j] = 1000 + rnd_in(0, 9000) * 1.0 + 0.001 * rnd_in(0, 999);
    ip->obj[j] = w[j] * (1 + 0.01 * rnd_in(0, 20));
  }
  ip->maximize = 1;
  double cap = 0;
  for (size_t j = 0; j < n; j++)
    cap += w[j];
  assert_int_equal(hp_ip_add_row(ip, "weight", w, -HUGE_VAL, 0.93 * cap, NULL),
                   HP_OK);
}

/* With mip_gap, CBC may stop short of the optimum but within the gap; the
 * relative gap is GLPK's, measured on the answer. */
static void solver_cbc_mip_gap(void **state) {
  (void)state;
  skip_without_cbc();
  hp_ip ip;
  hp_ip_solution g, c;
  knapsack(&ip, 40);
  assert_int_equal(hp_solver_glpk_solve(&ip, &g, NULL), HP_OK);
  assert_int_equal(g.status, HP_SOL_OPTIMAL);
  ip.mip_gap = 0.05;
  assert_int_equal(hp_solver_cbc_solve(&ip, &c, NULL), HP_OK);
  assert_int_equal(c.status, HP_SOL_OPTIMAL);
  assert_true(c.objective <= g.objective * (1 + 1e-9));
  assert_true(c.objective >= g.objective * (1 - 0.05));
  assert_true(hp_ip_point_ok(&ip, c.x));
  /* within_gap only when the answer is not proven optimal */
  if (!c.within_gap)
    assert_true(close_rel(c.objective, g.objective, 1e-9));
  hp_ip_solution_cleanup(&g);
  hp_ip_solution_cleanup(&c);
  hp_ip_cleanup(&ip);
}

/* A node limit: the best point found and what the search proved about
 * the rest, never past the point; or a proof within the limit. */
static void solver_cbc_node_limit(void **state) {
  (void)state;
  skip_without_cbc();
  hp_ip ip;
  hp_ip_solution g, c;
  knapsack(&ip, 60);
  assert_int_equal(hp_solver_glpk_solve(&ip, &g, NULL), HP_OK);
  assert_int_equal(g.status, HP_SOL_OPTIMAL);
  ip.node_limit = 1;
  assert_int_equal(hp_solver_cbc_solve(&ip, &c, NULL), HP_OK);
  if (c.status == HP_SOL_OPTIMAL && c.node_limited) {
    /* maximising: bound >= best point found; the optimum in between */
    assert_true(c.bound >= c.objective);
    assert_true(c.objective <= g.objective * (1 + 1e-9));
    assert_true(c.bound >= g.objective * (1 - 1e-9));
    assert_true(hp_ip_point_ok(&ip, c.x));
  } else if (c.status == HP_SOL_OPTIMAL) {
    assert_true(close_rel(c.objective, g.objective, 1e-9));
  } else {
    assert_int_equal(c.status, HP_SOL_ERROR);
    assert_true(c.node_limited);
    assert_non_null(strstr(c.error, "node limit of 1"));
  }
  assert_true(c.nodes <= 2);
  hp_ip_solution_cleanup(&g);
  hp_ip_solution_cleanup(&c);
  hp_ip_cleanup(&ip);
}

/* A multi-class covering program like the generator's 16-class plans
 * (issue 23): whole servers of four SKUs per class, server prices whole
 * multiples of 2,000 CNY, and a shared cap on the dearer SKUs. GLPK rounds
 * every node's bound up to a multiple of the gcd of the integer columns'
 * integer costs (ios_round_bound, "integral objective"), so a search
 * stopped at its node limit reports a bound on that grid: the gcd trick
 * of issue 23's fourth pass is GLPK's own. A rescaling of the objective
 * that made the prices fractional would lose it (dividing by 2^5 already
 * would: 2,000 = 2^4 x 125); with one price 0.5 CNY off the grid this
 * test fails. */
static void solver_glpk_bound_on_the_cost_grid(void **state) {
  (void)state;
  const size_t n_cls = 8, n_sku = 4, n = n_cls * n_sku;
  const double price[4] = {840000, 1402000, 1210000, 2642000};
  hp_ip ip;
  hp_ip_solution g;
  assert_int_equal(hp_ip_init(&ip, n), HP_OK);
  double a[32], cap[32];
  rng_state = 23;
  for (size_t j = 0; j < n; j++) {
    ip.is_int[j] = 1;
    ip.obj[j] = price[j % n_sku];
    cap[j] = j % n_sku ? 1 : 0;
  }
  for (size_t k = 0; k < n_cls; k++) {
    for (size_t j = 0; j < n; j++)
      a[j] = 0;
    for (size_t s = 0; s < n_sku; s++)
      a[k * n_sku + s] =
          (s == 3 ? 6000 : 1500 + 250 * s) + rnd_in(0, 999999) * 1e-3;
    assert_int_equal(hp_ip_add_row(&ip, "demand", a, 3e5 + rnd_in(0, 1000000),
                                   HUGE_VAL, NULL),
                     HP_OK);
  }
  assert_int_equal(hp_ip_add_row(&ip, "cap", cap, -HUGE_VAL, 300, NULL), HP_OK);
  ip.node_limit = 400;
  assert_int_equal(hp_solver_glpk_solve(&ip, &g, NULL), HP_OK);
  assert_int_equal(g.status, HP_SOL_OPTIMAL);
  assert_true(g.node_limited);
  assert_true(g.bound <= g.objective);
  assert_true(g.bound > 0.99 * g.objective);
  if (fmod(g.bound, 2000) != 0)
    fail_msg("bound %.17g is not a multiple of 2,000 CNY", g.bound);
  hp_ip_solution_cleanup(&g);
  hp_ip_cleanup(&ip);
}

/* The shipped catalog and plans/doubao-roofline.yaml bound to it. */
static void load_roofline_plan(hp_catalog **cat, hp_planfile **pf) {
  hp_diag d;
  assert_int_equal(hp_catalog_load(HP_SOURCE_DIR "/devices", cat, &d), HP_OK);
  assert_int_equal(hp_planfile_load(HP_SOURCE_DIR "/plans/doubao-roofline.yaml",
                                    *cat, pf, &d),
                   HP_OK);
}

/* The shipped roofline plan's programs (one per scenario): the planner's
 * real rows (demand per class, domestic share, vendor caps). */
static void solver_glpk_cbc_agree_on_roofline_plan(void **state) {
  (void)state;
  skip_without_cbc();
  hp_catalog *cat = NULL;
  hp_planfile *pf = NULL;
  hp_diag d;
  load_roofline_plan(&cat, &pf);
  for (size_t k = 0; k < hp_planfile_count(pf); k++) {
    const hp_scenario *s = hp_planfile_scenario(pf, k);
    hp_ip ip;
    hp_unit *u = NULL;
    hp_ip_solution g, c, a;
    assert_int_equal(hp_planner_build(s, &ip, &u, &d), HP_OK);
    assert_int_equal(hp_solver_glpk_solve(&ip, &g, NULL), HP_OK);
    assert_int_equal(hp_solver_cbc_solve(&ip, &c, NULL), HP_OK);
    assert_int_equal(hp_solver_solve_with(&ip, HP_IP_AUTO, &a, NULL), HP_OK);
    assert_int_equal(g.status, HP_SOL_OPTIMAL);
    assert_int_equal(c.status, g.status);
    assert_false(g.node_limited || c.node_limited);
    if (!close_rel(g.objective, c.objective, 1e-9))
      fail_msg("%s: GLPK %.17g, CBC %.17g", s->name, g.objective, c.objective);
    /* auto on a program GLPK proves within its budget: GLPK's answer,
     * GLPK's nodes; beyond it (the roofline's coefficients decide which)
     * CBC's, never a worse plan */
    if (g.nodes <= HP_AUTO_GLPK_NODES)
      assert_true(a.objective == g.objective && a.nodes == g.nodes);
    else
      assert_true(close_rel(a.objective, g.objective, 1e-9));
    hp_ip_solution_cleanup(&g);
    hp_ip_solution_cleanup(&c);
    hp_ip_solution_cleanup(&a);
    hp_ip_cleanup(&ip);
    hp_free(u);
  }
  hp_planfile_free(pf);
  hp_catalog_free(cat);
}

/* A sweep's point (hp_ip.sweep_point) runs GLPK's long turn breadth-first
 * without cuts (docs/formulation.md, "Choosing the solver"): the same
 * optimum as a plan solved on its own, found in other nodes. The program
 * is the shipped roofline plan's mix-2024 scenario at FACTOR times its
 * demand (the demand sweep of bench/doubao_sweep_bench.sh), where the
 * quick turn does not prove it and the long turn runs. */
static void solver_glpk_sweep_point_same_optimum(void **state) {
  (void)state;
  const double factor = 4.4 / 4.0;
  hp_catalog *cat = NULL;
  hp_planfile *pf = NULL;
  hp_diag d;
  load_roofline_plan(&cat, &pf);
  const hp_scenario *s = NULL;
  for (size_t k = 0; k < hp_planfile_count(pf); k++)
    if (strcmp(hp_planfile_scenario(pf, k)->name, "mix-2024") == 0)
      s = hp_planfile_scenario(pf, k);
  assert_non_null(s);
  hp_ip ip;
  hp_unit *u = NULL;
  hp_ip_solution a, b;
  assert_int_equal(hp_planner_build(s, &ip, &u, &d), HP_OK);
  size_t n_demand = 0;
  for (size_t i = 0; i < ip.n_rows; i++)
    if (strncmp(ip.rows[i].name, "demand.", 7) == 0) {
      ip.rows[i].lo *= factor;
      n_demand++;
    }
  assert_int_equal(n_demand, 3);
  assert_int_equal(hp_solver_glpk_solve(&ip, &a, NULL), HP_OK);
  ip.sweep_point = 1;
  assert_int_equal(hp_solver_glpk_solve(&ip, &b, NULL), HP_OK);
  print_message("plain %ld nodes, sweep point %ld nodes\n", a.nodes, b.nodes);
  assert_int_equal(a.status, HP_SOL_OPTIMAL);
  assert_int_equal(b.status, HP_SOL_OPTIMAL);
  assert_false(a.node_limited || b.node_limited);
  if (!close_rel(a.objective, b.objective, 1e-12))
    fail_msg("plain %.17g, sweep point %.17g", a.objective, b.objective);
  assert_true(hp_ip_point_ok(&ip, b.x));
  /* past the quick turn, and searched differently */
  assert_true(a.nodes > 1000 && b.nodes > 1000);
  assert_true(a.nodes != b.nodes);
  hp_ip_solution_cleanup(&a);
  hp_ip_solution_cleanup(&b);
  hp_ip_cleanup(&ip);
  hp_free(u);
  hp_planfile_free(pf);
  hp_catalog_free(cat);
}

/* libglpk 5.0's MIP presolver fails an assertion (npp3.c: q->lb < q->ub)
 * on this program, whose first two rows have no integer solution (4 x2 -
 * 2 x6 is even): hp_solver_glpk_solve is HP_ESOLVER, and auto answers with CBC.
 */
static void solver_auto_answers_where_glpk_fails(void **state) {
  (void)state;
  skip_without_cbc();
  hp_ip ip;
  assert_int_equal(hp_ip_init(&ip, 7), HP_OK);
  const double obj[7] = {140000, 35000,  140000, -140000,
                         140000, 175000, 350000};
  const double ub[7] = {9.5, HUGE_VAL, HUGE_VAL, 9, 8.5, HUGE_VAL, 8};
  memcpy(ip.obj, obj, sizeof obj);
  memcpy(ip.ub, ub, sizeof ub);
  ip.lb[5] = -3;
  ip.is_int[1] = ip.is_int[3] = ip.is_int[5] = ip.is_int[6] = 1;
  ip.node_limit = 100000;
  const double r0[7] = {0, 4, 0, 0, 0, -2, 0}, r1[7] = {0, -3, 0, 0, 0, 6, 0},
               r2[7] = {-1, 0, -2, 0, 2, -3, 3}, r3[7] = {-1, 5, 0, 0, 6, 5, 0};
  assert_int_equal(hp_ip_add_row(&ip, "r0", r0, -1, -1, NULL), HP_OK);
  assert_int_equal(hp_ip_add_row(&ip, "r1", r1, 2, 2, NULL), HP_OK);
  assert_int_equal(hp_ip_add_row(&ip, "r2", r2, 2, HUGE_VAL, NULL), HP_OK);
  assert_int_equal(hp_ip_add_row(&ip, "r3", r3, -2, 5.5, NULL), HP_OK);
  hp_ip_solution g, c, a;
  hp_diag d;
  hp_diag_clear(&d);
  int rc = hp_solver_glpk_solve(&ip, &g, &d);
  /* Were libglpk fixed, GLPK would say infeasible itself. */
  assert_true(rc == HP_ESOLVER || g.status == HP_SOL_INFEASIBLE);
  assert_int_equal(hp_solver_cbc_solve(&ip, &c, NULL), HP_OK);
  assert_int_equal(c.status, HP_SOL_INFEASIBLE);
  hp_diag_clear(&d);
  assert_int_equal(hp_solver_solve_with(&ip, HP_IP_AUTO, &a, &d), HP_OK);
  assert_int_equal(a.status, HP_SOL_INFEASIBLE);
  assert_int_equal(d.status, HP_OK);
  hp_ip_solution_cleanup(&g);
  hp_ip_cleanup(&ip);
}

/* CBC keeps global state, so solves on threads take turns (a lock): four
 * threads solving at once get the answer one thread gets. */
typedef struct cbc_job {
  const hp_ip *ip;
  int rc;
  hp_ip_solution sol;
} cbc_job;

static void *cbc_thread(void *arg) {
  cbc_job *j = arg;
  j->rc = hp_solver_cbc_solve(j->ip, &j->sol, NULL);
  return NULL;
}

static void solver_cbc_on_threads(void **state) {
  (void)state;
  skip_without_cbc();
  hp_ip ip;
  hp_ip_solution one;
  knapsack(&ip, 30);
  assert_int_equal(hp_solver_cbc_solve(&ip, &one, NULL), HP_OK);
  pthread_t t[4];
  cbc_job jobs[4];
  for (int i = 0; i < 4; i++) {
    jobs[i].ip = &ip;
    assert_int_equal(pthread_create(&t[i], NULL, cbc_thread, &jobs[i]), 0);
  }
  for (int i = 0; i < 4; i++) {
    assert_int_equal(pthread_join(t[i], NULL), 0);
    assert_int_equal(jobs[i].rc, HP_OK);
    assert_int_equal(jobs[i].sol.status, HP_SOL_OPTIMAL);
    assert_true(jobs[i].sol.objective == one.objective);
    hp_ip_solution_cleanup(&jobs[i].sol);
  }
  hp_ip_solution_cleanup(&one);
  hp_ip_cleanup(&ip);
}

/* Log level 0: a CBC solve writes nothing on stdout or stderr (where it
 * would land in a report), whatever path it takes: a MIP, an LP, an
 * infeasible or unbounded one (checked by a second search). */
static void solver_cbc_prints_nothing(void **state) {
  (void)state;
  skip_without_cbc();
  char path[] = "/tmp/hp_test_solver_out.XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  fflush(stdout);
  fflush(stderr);
  int out = dup(1), err = dup(2);
  dup2(fd, 1);
  dup2(fd, 2);
  int statuses = 0;
  for (unsigned k = 0; k < 40; k++) {
    hp_ip ip;
    int kind;
    hp_ip_solution c;
    random_ip(k, &ip, &kind);
    if (hp_solver_cbc_solve(&ip, &c, NULL) == HP_OK)
      statuses |= 1 << c.status;
    hp_ip_solution_cleanup(&c);
    hp_ip_cleanup(&ip);
  }
  fflush(stdout);
  fflush(stderr);
  dup2(out, 1);
  dup2(err, 2);
  close(out);
  close(err);
  struct stat st;
  assert_int_equal(fstat(fd, &st), 0);
  close(fd);
  unlink(path);
  assert_int_equal(st.st_size, 0);
  /* optimal, infeasible and unbounded programs all went through */
  assert_int_equal(statuses, 1 << HP_SOL_OPTIMAL | 1 << HP_SOL_INFEASIBLE |
                                 1 << HP_SOL_UNBOUNDED);
}

static void solver_engine_names(void **state) {
  (void)state;
  hp_ip_engine e;
  assert_true(hp_solver_engine_parse("glpk", &e) && e == HP_IP_GLPK);
  assert_true(hp_solver_engine_parse("cbc", &e) && e == HP_IP_CBC);
  assert_true(hp_solver_engine_parse("auto", &e) && e == HP_IP_AUTO);
  assert_false(hp_solver_engine_parse("CBC", &e));
  assert_false(hp_solver_engine_parse("", &e));
  assert_string_equal(hp_solver_engine_name(HP_IP_AUTO), "auto");
}

/* hp_solver_solve_with reaches each solver: the same optimum by each, and
 * without CBC in the build, engine cbc is an error that says so. */
static void solver_with_dispatches(void **state) {
  (void)state;
  hp_ip ip;
  knapsack(&ip, 12);
  hp_ip_solution g, c;
  hp_diag d;
  hp_diag_clear(&d);
  assert_int_equal(hp_solver_solve_with(&ip, HP_IP_GLPK, &g, &d), HP_OK);
  assert_int_equal(g.status, HP_SOL_OPTIMAL);
  int rc = hp_solver_solve_with(&ip, HP_IP_CBC, &c, &d);
  if (hp_solver_cbc_available()) {
    assert_int_equal(rc, HP_OK);
    assert_true(close_rel(g.objective, c.objective, 1e-9));
    hp_ip_solution_cleanup(&c);
  } else {
    assert_int_equal(rc, HP_ENOTSUP);
    assert_non_null(strstr(d.msg, "without CBC"));
  }
  hp_ip_solution_cleanup(&g);
  hp_ip_cleanup(&ip);
}

/* The engine a plan gets (hp_planner_engine): without solver.engine, auto
 * for a plan solved on its own and GLPK for a sweep's or Monte Carlo's
 * (lean) point; a named engine everywhere. */
static void solver_default_engine(void **state) {
  (void)state;
  hp_catalog *cat = NULL;
  hp_planfile *pf = NULL;
  load_roofline_plan(&cat, &pf);
  hp_scenario s = *hp_planfile_scenario(pf, 0);
  assert_false(s.engine_given);
  assert_int_equal(hp_planner_engine(&s, 0), HP_IP_AUTO);
  assert_int_equal(hp_planner_engine(&s, 1), HP_IP_GLPK);
  const hp_ip_engine named[] = {HP_IP_GLPK, HP_IP_CBC, HP_IP_AUTO};
  for (size_t i = 0; i < 3; i++) {
    s.engine_given = 1;
    s.engine = named[i];
    assert_int_equal(hp_planner_engine(&s, 0), named[i]);
    assert_int_equal(hp_planner_engine(&s, 1), named[i]);
  }
  hp_planfile_free(pf);
  hp_catalog_free(cat);
}

/* ----------------------------------------------------------------------------
 * Export
 * ------------------------------------------------------------------------- */

static char tmpdir[64];

static int export_setup(void **state) {
  (void)state;
  snprintf(tmpdir, sizeof tmpdir, "/tmp/hp_test_solver.XXXXXX");
  return mkdtemp(tmpdir) ? 0 : -1;
}

static int export_teardown(void **state) {
  (void)state;
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
  return system(cmd) == 0 ? 0 : -1;
}

/* The program of docs/formulation.md's export example: names that LP
 * forbids, a duplicate row name, a ranged row, an equality, negative and
 * free bounds. */
static void named_ip(hp_ip *ip) {
  assert_int_equal(hp_ip_init(ip, 4), HP_OK);
  const double obj[4] = {3, 2, -1, 1.5};
  memcpy(ip->obj, obj, sizeof obj);
  ip->is_int[0] = ip->is_int[1] = 1;
  ip->lb[2] = -5;
  ip->ub[2] = 7;
  ip->lb[3] = -HUGE_VAL;
  const double a1[4] = {1, 1, 0, 0}, a2[4] = {1, -1, 1, 0},
               a3[4] = {0, 1, 1, 1}, a4[4] = {0, 0, 0, 1};
  assert_int_equal(hp_ip_add_row(ip, "demand/chat", a1, 3.5, HUGE_VAL, NULL),
                   HP_OK);
  assert_int_equal(hp_ip_add_row(ip, "range", a2, -2, 4, NULL), HP_OK);
  assert_int_equal(hp_ip_add_row(ip, "eq", a3, 10, 10, NULL), HP_OK);
  assert_int_equal(hp_ip_add_row(ip, "demand/chat", a4, -HUGE_VAL, 20, NULL),
                   HP_OK);
}

static const char *const NAMES[4] = {"nvidia-h20/chat", "2x", "e1", "free"};

static void export_lp_text(void **state) {
  (void)state;
  hp_ip ip;
  named_ip(&ip);
  char *t;
  size_t len;
  assert_int_equal(hp_ip_export_format_lp(&ip, NAMES, &t, &len, NULL), HP_OK);
  assert_int_equal(strlen(t), len);
  static const char want[] =
      "\\ hetplan integer program: 4 columns, 4 rows (CPLEX LP format)\n"
      "Minimize\n"
      " obj: + 3 nvidia_h20_chat + 2 _2x - 1 _e1 + 1.5 _free\n"
      "Subject To\n"
      " demand_chat: + 1 nvidia_h20_chat + 1 _2x >= 3.5\n"
      " range_lo: + 1 nvidia_h20_chat - 1 _2x + 1 _e1 >= -2\n"
      " range_hi: + 1 nvidia_h20_chat - 1 _2x + 1 _e1 <= 4\n"
      " _eq: + 1 _2x + 1 _e1 + 1 _free = 10\n"
      " demand_chat_2: + 1 _free <= 20\n"
      "Bounds\n"
      " 0 <= nvidia_h20_chat\n"
      " 0 <= _2x\n"
      " -5 <= _e1 <= 7\n"
      " _free free\n"
      "General\n"
      " nvidia_h20_chat\n"
      " _2x\n"
      "End\n";
  assert_string_equal(t, want);
  hp_free(t);
  /* Without names: x1.. and r1..; a name clash with a fallback is made
   * unique too. */
  const char *clash[4] = {"x2", NULL, "", "x2"};
  assert_int_equal(hp_ip_export_format_lp(&ip, clash, &t, &len, NULL), HP_OK);
  assert_non_null(strstr(t, " obj: + 3 x2 + 2 x2_2 - 1 x3 + 1.5 x2_3\n"));
  hp_free(t);
  /* Numbers keep all their digits. */
  ip.obj[0] = 0.1;
  ip.rows[0].lo = 123456789.123456789;
  assert_int_equal(hp_ip_export_format_lp(&ip, NULL, &t, &len, NULL), HP_OK);
  assert_non_null(strstr(t, " obj: + 0.10000000000000001 x1"));
  assert_non_null(strstr(t, ">= 123456789.12345679\n"));
  hp_free(t);
  hp_ip_cleanup(&ip);
}

/* Runs cmd and returns its first output line matching prefix, or "". */
static int run_line(const char *cmd, const char *prefix, char *out, size_t n) {
  FILE *p = popen(cmd, "r");
  char line[512];
  out[0] = 0;
  if (!p)
    return -1;
  while (fgets(line, sizeof line, p))
    if (!out[0] && strncmp(line, prefix, strlen(prefix)) == 0)
      snprintf(out, n, "%s", line);
  return pclose(p);
}

static int have(const char *prog) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", prog);
  return system(cmd) == 0;
}

/* glpsol's answer in its -w file: "s mip ROWS COLS STATUS OBJ" (or "s bas
 * ... PRIM DUAL OBJ" for an LP), written at 15 significant digits. */
static int glpsol_objective(const char *lp, double *obj, char *status) {
  char cmd[1024], sol[256], log[256], line[256];
  snprintf(sol, sizeof sol, "%s.glpk", lp);
  snprintf(log, sizeof log, "%s.log", lp);
  snprintf(cmd, sizeof cmd, "glpsol --lp '%s' -w '%s' >'%s' 2>&1", lp, sol,
           log);
  if (system(cmd) != 0)
    return -1;
  /* An infeasible LP relaxation leaves a MIP's status undefined ('u') in
   * the file; glpsol says why in its log. */
  int no_point = 0;
  FILE *lf = fopen(log, "r");
  while (lf && fgets(line, sizeof line, lf))
    no_point |= strstr(line, "HAS NO PRIMAL FEASIBLE") != NULL ||
                strstr(line, "HAS NO INTEGER FEASIBLE") != NULL;
  if (lf)
    fclose(lf);
  FILE *f = fopen(sol, "r");
  if (!f)
    return -1;
  int ok = -1;
  while (fgets(line, sizeof line, f)) {
    char kind[8], st1 = 0, st2 = 0;
    int r, c;
    if (sscanf(line, "s mip %d %d %c %lf", &r, &c, &st1, obj) == 4) {
      *status = st1, ok = 0;
      break;
    }
    if (sscanf(line, "s %7s %d %d %c %c %lf", kind, &r, &c, &st1, &st2, obj) ==
        6) {
      *status = st1, ok = 0;
      break;
    }
  }
  fclose(f);
  if (ok == 0 && *status == 'u' && no_point)
    *status = 'n';
  return ok;
}

/* The written file, solved by glpsol and by cbc, gives the optimum that
 * hp_solver_glpk_solve finds in process; and an infeasible program stays
 * infeasible. */
static void export_lp_round_trip(void **state) {
  (void)state;
  int glpsol = have("glpsol"), cbc = have("cbc");
  if (!glpsol && !cbc)
    skip();
  char path[128], cmd[512], line[512];
  int checked = 0;
  for (unsigned k = 0; k < 40; k++) {
    hp_ip ip;
    int kind = KIND_PLAIN;
    if (k == 0)
      named_ip(&ip);
    else
      random_ip(k, &ip, &kind);
    hp_ip_solution s;
    assert_int_equal(hp_solver_glpk_solve(&ip, &s, NULL), HP_OK);
    if (s.status != HP_SOL_OPTIMAL && s.status != HP_SOL_INFEASIBLE) {
      hp_ip_solution_cleanup(&s);
      hp_ip_cleanup(&ip);
      continue;
    }
    snprintf(path, sizeof path, "%s/p%u.lp", tmpdir, k);
    assert_int_equal(
        hp_ip_export_write_lp(&ip, k == 0 ? NAMES : NULL, path, NULL), HP_OK);
    if (glpsol) {
      double obj = NAN;
      char st = 0;
      assert_int_equal(glpsol_objective(path, &obj, &st), 0);
      if (s.status == HP_SOL_OPTIMAL) {
        /* 'f': glpsol's search ended on a point it calls feasible, not
         * optimal (its default tolerances); the value must still match */
        if ((st != 'o' && st != 'f') || !close_rel(obj, s.objective, 1e-9))
          fail_msg("%s: glpsol status %c objective %.17g, hp_solver_glpk_solve "
                   "%.17g",
                   path, st, obj, s.objective);
      } else {
        /* 'n' no feasible point (MIP); 'i'/'n' infeasible (LP) */
        if (st != 'n' && st != 'i')
          fail_msg("%s: glpsol status %c, hp_solver_glpk_solve infeasible",
                   path, st);
      }
    }
    if (cbc) {
      /* CBC's solution file: "Optimal - objective value V" first; V at
       * 8 decimals, so 1e-9 relative holds for |V| >= 0.1 and 1e-9
       * absolute does below. */
      char sol[160];
      snprintf(sol, sizeof sol, "%s.cbc", path);
      snprintf(cmd, sizeof cmd,
               "cbc '%s' solve solu '%s' >/dev/null 2>&1 && head -1 '%s'", path,
               sol, sol);
      assert_int_equal(run_line(cmd, "", line, sizeof line), 0);
      if (s.status == HP_SOL_OPTIMAL) {
        const char *v = strstr(line, "objective value");
        if (strncmp(line, "Optimal", 7) != 0 || !v ||
            !close_rel(atof(v + 15), s.objective, 1e-8))
          fail_msg("%s: cbc says '%s', hp_solver_glpk_solve %.17g", path, line,
                   s.objective);
      } else {
        assert_int_equal(strncmp(line, "Infeasible", 10), 0);
      }
    }
    checked++;
    hp_ip_solution_cleanup(&s);
    hp_ip_cleanup(&ip);
  }
  assert_true(checked >= 30);
}

/* A path that cannot be written is an output error naming it, and leaves
 * no file or temporary behind; an existing file is replaced whole. */
static void export_lp_errors(void **state) {
  (void)state;
  hp_ip ip;
  named_ip(&ip);
  hp_diag d;
  hp_diag_clear(&d);
  char path[128];
  snprintf(path, sizeof path, "%s/no/such/dir/p.lp", tmpdir);
  assert_int_equal(hp_ip_export_write_lp(&ip, NAMES, path, &d), HP_EIO);
  char msg[512];
  hp_diag_format(&d, msg, sizeof msg);
  assert_non_null(strstr(msg, "no/such/dir/p.lp"));
  /* a directory */
  hp_diag_clear(&d);
  assert_int_equal(hp_ip_export_write_lp(&ip, NAMES, tmpdir, &d), HP_EIO);
  /* an existing file, replaced */
  snprintf(path, sizeof path, "%s/old.lp", tmpdir);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs("old\n", f);
  fclose(f);
  assert_int_equal(hp_ip_export_write_lp(&ip, NAMES, path, &d), HP_OK);
  f = fopen(path, "r");
  char first[128] = "";
  assert_non_null(fgets(first, sizeof first, f));
  fclose(f);
  assert_non_null(strstr(first, "hetplan integer program"));
  /* nothing but what was written */
  char cmd[256], line[64];
  snprintf(cmd, sizeof cmd, "ls -A '%s' | wc -l", tmpdir);
  run_line(cmd, "", line, sizeof line);
  assert_int_equal(atoi(line), 1);
  hp_ip_cleanup(&ip);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(solver_glpk_cbc_agree_on_random_programs),
      cmocka_unit_test(solver_cbc_no_columns),
      cmocka_unit_test(solver_cbc_mip_gap),
      cmocka_unit_test(solver_cbc_node_limit),
      cmocka_unit_test(solver_glpk_cbc_agree_on_roofline_plan),
      cmocka_unit_test(solver_glpk_bound_on_the_cost_grid),
      cmocka_unit_test(solver_glpk_sweep_point_same_optimum),
      cmocka_unit_test(solver_auto_answers_where_glpk_fails),
      cmocka_unit_test(solver_cbc_on_threads),
      cmocka_unit_test(solver_cbc_prints_nothing),
      cmocka_unit_test(solver_engine_names),
      cmocka_unit_test(solver_default_engine),
      cmocka_unit_test(solver_with_dispatches),
      cmocka_unit_test(export_lp_text),
      cmocka_unit_test_setup_teardown(export_lp_round_trip, export_setup,
                                      export_teardown),
      cmocka_unit_test_setup_teardown(export_lp_errors, export_setup,
                                      export_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
