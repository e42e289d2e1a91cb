/* planner.c - builds and solves the purchase program for each scenario.
 *
 * Formulation (docs/formulation.md): one variable per candidate SKU, counting
 * servers (or cards with granularity: card), integer unless the granularity
 * is fractional. Rows: demand, budget, power, supply caps per SKU and per
 * vendor, domestic-share bounds on one basis, the per-vendor share ceiling.
 * Layout: coefficients, building, explaining infeasibility, results.
 */
#define _POSIX_C_SOURCE 200809L
#include "planner.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "mem.h"
#include "numfmt.h"
#include "roofline.h"
#include "scenario.h" /* hp_planfile_scenario, market warnings */
#include "solver_cbc.h"
#include "status.h"

/* ----------------------------------------------------------------------------
 * Coefficients
 * ------------------------------------------------------------------------- */

double hp_planner_demand_tokens_per_s(const hp_scenario *s) {
  if (!s->has_workload)
    return 0;
  return s->tokens_per_day / s->seconds_per_day * s->peak_factor;
}

double hp_planner_server_tokens_per_s(const hp_scenario *s,
                                      const hp_candidate *c) {
  const double *f = c->spec.fig;
  double params = s->model.active_params > 0 ? s->model.active_params : 1;
  return f[HP_FIG_cards_per_server] * f[HP_FIG_fp16_tflops] * 1e12 * c->mfu /
         (2.0 * params);
}

static int excluded(const hp_scenario *s, const char *vendor) {
  for (size_t i = 0; i < s->n_exclude_vendors; i++)
    if (strcmp(s->exclude_vendors[i], vendor) == 0)
      return 1;
  return 0;
}

static double basis_weight(const hp_scenario *s, const hp_unit *u) {
  switch (s->dom_basis) {
  case HP_BASIS_CARDS:
    return u->cards;
  case HP_BASIS_CAPEX:
    return u->price_cny;
  default:
    return u->tokens_per_s;
  }
}

/* ----------------------------------------------------------------------------
 * Building
 * ------------------------------------------------------------------------- */

int hp_planner_is_roofline(const hp_scenario *s) {
  return s->demand_model == HP_DEMAND_ROOFLINE && s->model.has_arch &&
         s->n_classes > 0;
}

size_t hp_planner_columns(const hp_scenario *s) {
  if (s->n_services)
    return hp_planner_services_columns(s);
  return s->n_cands * (hp_planner_is_roofline(s) ? s->n_classes : 1);
}

/* Peak demand of one request class, tokens/s (input + output). */
static double class_demand(const hp_scenario *s, size_t i) {
  const hp_request_class *k = &s->classes[i];
  return s->requests_per_s * s->peak_factor * k->share *
         (k->input_tokens + k->output_tokens);
}

/* A request class's tokens per request of the workload (its share x its
 * input + output tokens): its weight in the token mix, whatever the volume. */
static double class_weight(const hp_scenario *s, size_t i) {
  const hp_request_class *k = &s->classes[i];
  return k->share * (k->input_tokens + k->output_tokens);
}

int hp_planner_build(const hp_scenario *s, hp_ip *ip, hp_unit **units_out,
                     hp_diag *d) {
  if (s->n_services)
    return hp_planner_services_build(s, ip, units_out, d);
  int roof = hp_planner_is_roofline(s);
  size_t nk = roof ? s->n_classes : 1;
  size_t n = hp_planner_columns(s);
  hp_unit *u = hp_calloc(n ? n : 1, sizeof *u);
  double *a = hp_calloc(n ? n : 1, sizeof *a);
  int rc = HP_OK;
  if (!u || !a || hp_ip_init(ip, n) != HP_OK) {
    hp_free(u);
    hp_free(a);
    return hp_diag_oom(d);
  }
  for (size_t j = 0; j < n; j++) {
    const hp_candidate *c = &s->cands[j / nk];
    u[j].cand = j / nk;
    u[j].cls = j % nk;
    u[j].usable = 1;
    double cps = c->spec.fig[HP_FIG_cards_per_server];
    double per_server;
    if (roof) {
      hp_roof_result rr;
      hp_roof_eval(&s->model, c, &s->classes[u[j].cls], &s->roof, &rr);
      u[j].usable = rr.ok;
      per_server = rr.ok ? rr.tokens_per_s_server : 0;
      u[j].tp = rr.tp;
      u[j].batch = rr.batch;
      u[j].memory_bound = rr.memory_bound;
      u[j].ttft_ms = rr.prefill_s * 1e3;
      u[j].tpot_ms = rr.tpot_s * 1e3;
    } else {
      per_server = hp_planner_server_tokens_per_s(s, c);
    }
    double per = s->gran == HP_GRAN_CARD ? 1.0 / cps : 1.0;
    u[j].tokens_per_s = per_server * per;
    u[j].cards = cps * per;
    u[j].price_cny = c->spec.fig[HP_FIG_price_server_cny] * per;
    u[j].power_kw = c->spec.fig[HP_FIG_tdp_w] * u[j].cards * s->pue / 1000.0;
    u[j].opex_cny_year =
        u[j].power_kw * s->utilisation * 8760.0 * s->power_price_cny_per_kwh;
    ip->is_int[j] = s->gran != HP_GRAN_FRACTIONAL;
    if (excluded(s, c->spec.vendor) || !u[j].usable)
      ip->ub[j] = 0;
    switch (s->objective) {
    case HP_OBJ_MAX_TOKENS:
      ip->obj[j] = u[j].tokens_per_s;
      break;
    case HP_OBJ_TCO:
      ip->obj[j] = u[j].price_cny + s->years * u[j].opex_cny_year;
      break;
    default:
      ip->obj[j] = u[j].price_cny;
      break;
    }
  }
  ip->maximize = s->objective == HP_OBJ_MAX_TOKENS;
  ip->mip_gap = s->mip_gap;
  ip->node_limit = (long)s->node_limit;

#define ADD_ROW(name, lo, hi)                                                  \
  do {                                                                         \
    if ((rc = hp_ip_add_row(ip, (name), a, (lo), (hi), NULL)) != HP_OK)        \
      goto fail;                                                               \
  } while (0)

  if (s->objective != HP_OBJ_MAX_TOKENS && s->has_workload && !roof) {
    for (size_t j = 0; j < n; j++)
      a[j] = u[j].tokens_per_s;
    ADD_ROW("demand", hp_planner_demand_tokens_per_s(s) * (1.0 + s->headroom),
            HUGE_VAL);
  }
  if (s->objective != HP_OBJ_MAX_TOKENS && s->has_workload && roof) {
    /* One demand row per request class (Melange): only that class's
     * columns serve it. */
    for (size_t i = 0; i < nk; i++) {
      char name[64];
      for (size_t j = 0; j < n; j++)
        a[j] = u[j].cls == i ? u[j].tokens_per_s : 0;
      snprintf(name, sizeof name, "demand.%.50s", s->classes[i].name);
      ADD_ROW(name, class_demand(s, i) * (1.0 + s->headroom), HUGE_VAL);
    }
  }
  if (s->objective == HP_OBJ_MAX_TOKENS && roof && nk > 1) {
    /* The most tokens/s in the workload's mix, or the budget would all go
     * to the cheapest class: each request class gets its share of the
     * tokens served, short by at most one server of its own (whole servers
     * rarely split a total in exact shares). */
    double total = 0;
    for (size_t i = 0; i < nk; i++)
      total += class_weight(s, i);
    for (size_t i = 0; total > 0 && i < nk; i++) {
      char name[64];
      double w = class_weight(s, i) / total, one = 0;
      for (size_t j = 0; j < n; j++) {
        a[j] = ((u[j].cls == i ? 1.0 : 0.0) - w) * u[j].tokens_per_s;
        if (u[j].cls == i && u[j].usable && u[j].tokens_per_s > one)
          one = u[j].tokens_per_s;
      }
      snprintf(name, sizeof name, "mix.%.50s", s->classes[i].name);
      ADD_ROW(name, s->gran == HP_GRAN_FRACTIONAL ? 0.0 : -one, HUGE_VAL);
    }
  }
  if (s->budget_cny > 0) {
    for (size_t j = 0; j < n; j++)
      a[j] = u[j].price_cny;
    ADD_ROW("budget_cny", -HUGE_VAL, s->budget_cny);
  }
  if (s->power_mw > 0) {
    for (size_t j = 0; j < n; j++)
      a[j] = u[j].power_kw / 1000.0;
    ADD_ROW("power_mw", -HUGE_VAL, s->power_mw);
  }
  for (size_t k = 0; k < s->n_caps; k++) {
    const hp_cap *cap = &s->caps[k];
    char name[64];
    int any = 0;
    for (size_t j = 0; j < n; j++) {
      const hp_candidate *cj = &s->cands[u[j].cand];
      const char *key = cap->is_vendor ? cj->spec.vendor : cj->spec.id;
      a[j] = strcmp(key, cap->key) == 0 ? u[j].cards : 0;
      any |= a[j] != 0;
    }
    if (!any)
      continue; /* a cap on something this scenario does not buy */
    snprintf(name, sizeof name, "caps.%s%.50s", cap->is_vendor ? "vendor." : "",
             cap->key);
    ADD_ROW(name, -HUGE_VAL, cap->cards);
  }
  if (s->has_dom_min || s->has_dom_max) {
    for (int side = 0; side < 2; side++) {
      if (side == 0 && !s->has_dom_min)
        continue;
      if (side == 1 && !s->has_dom_max)
        continue;
      double share = side == 0 ? s->dom_min : s->dom_max;
      for (size_t j = 0; j < n; j++)
        a[j] = ((s->cands[u[j].cand].spec.domestic ? 1.0 : 0.0) - share) *
               basis_weight(s, &u[j]);
      if (side == 0)
        ADD_ROW("domestic_share.min", 0.0, HUGE_VAL);
      else
        ADD_ROW("domestic_share.max", -HUGE_VAL, 0.0);
    }
  }
  if (s->max_vendor_share > 0) {
    for (size_t j = 0; j < s->n_cands; j++) {
      const char *v = s->cands[j].spec.vendor;
      int seen = 0;
      for (size_t k = 0; k < j; k++)
        if (strcmp(s->cands[k].spec.vendor, v) == 0)
          seen = 1;
      if (seen)
        continue;
      for (size_t k = 0; k < n; k++)
        a[k] = ((strcmp(s->cands[u[k].cand].spec.vendor, v) == 0 ? 1.0 : 0.0) -
                s->max_vendor_share) *
               u[k].tokens_per_s;
      ADD_ROW("max_vendor_share", -HUGE_VAL, 0.0);
    }
  }
#undef ADD_ROW
  hp_free(a);
  *units_out = u;
  return HP_OK;
fail:
  hp_free(a);
  hp_free(u);
  hp_ip_cleanup(ip);
  if (rc == HP_ELIMIT)
    return hp_diag_set(d, HP_ELIMIT, s->file, s->line, s->col,
                       "scenario '%s': more than %d constraints", s->name,
                       HP_IP_MAX_ROWS);
  return hp_diag_oom(d);
}

/* ----------------------------------------------------------------------------
 * Explaining infeasibility
 * ------------------------------------------------------------------------- */

/* Constraint groups, by row-name prefix. */
static const char *const groups[] = {
    "domestic_share.min", "domestic_share.max", "caps",
    "power_mw",           "budget_cny",         "max_vendor_share"};
#define N_GROUPS (sizeof groups / sizeof groups[0])

static int in_group(const char *row, const char *g) {
  size_t n = strlen(g);
  return strncmp(row, g, n) == 0 && (row[n] == '\0' || row[n] == '.');
}

static int has_group(const hp_ip *ip, const char *g) {
  for (size_t i = 0; i < ip->n_rows; i++)
    if (in_group(ip->rows[i].name, g))
      return 1;
  return 0;
}

static void drop_group(hp_ip *ip, const char *g) {
  for (size_t i = ip->n_rows; i-- > 0;)
    if (in_group(ip->rows[i].name, g))
      hp_ip_remove_row(ip, i);
}

/* Node budget of each feasibility check made to explain an infeasible
 * plan: a limit, unlike time, that is the same on every machine, so the
 * explanation is too. */
#define EXPLAIN_NODES 20000

/* A feasibility check (a zero objective is fastest and never unbounded)
 * within EXPLAIN_NODES: 1 feasible, 0 infeasible, 2 not settled within
 * the limit, negative error. */
static int check_feasible(const hp_ip *ip, hp_diag *d) {
  hp_ip_solution sol;
  hp_ip t;
  if (hp_ip_copy(&t, ip) != HP_OK)
    return hp_diag_oom(d);
  memset(t.obj, 0, t.n_cols * sizeof *t.obj);
  t.node_limit = EXPLAIN_NODES;
  int rc = hp_solver_glpk_solve(&t, &sol, d);
  hp_ip_cleanup(&t);
  if (rc != HP_OK)
    return rc;
  int f = sol.status == HP_SOL_OPTIMAL      ? 1
          : sol.status == HP_SOL_INFEASIBLE ? 0
                                            : 2;
  hp_ip_solution_cleanup(&sol);
  return f;
}

/* 1 feasible, 0 infeasible, negative error. An explanation must not take
 * minutes: a check that GLPK cannot settle within EXPLAIN_NODES counts as
 * "not shown feasible". */
static int feasible(const hp_ip *ip, hp_diag *d) {
  int f = check_feasible(ip, d);
  return f < 0 ? f : f == 1;
}

/* Optimises `obj` (min or max) over ip's rows; *val set when optimal.
 * Returns 1 optimal, 0 not, negative error. */
static int optimise(const hp_ip *ip, const double *obj, int maximize,
                    double *val, hp_diag *d) {
  hp_ip t;
  hp_ip_solution sol;
  if (hp_ip_copy(&t, ip) != HP_OK)
    return hp_diag_oom(d);
  memcpy(t.obj, obj, t.n_cols * sizeof *t.obj);
  t.maximize = maximize;
  /* The figures an explanation quotes are proven, whatever the plan's
   * solver.mip_gap. */
  t.mip_gap = 0;
  int rc = hp_solver_glpk_solve(&t, &sol, d);
  hp_ip_cleanup(&t);
  if (rc != HP_OK)
    return rc;
  /* A node-limited plan is not an optimum to quote. */
  int ok = sol.status == HP_SOL_OPTIMAL && !sol.node_limited;
  if (ok)
    *val = sol.objective;
  hp_ip_solution_cleanup(&sol);
  return ok;
}

/* Rebuilds the share rows of a copy of ip with a different bound, by
 * re-deriving the coefficients (the rows are linear in the share). */
static void set_share_rows(hp_ip *ip, const hp_scenario *s, const hp_unit *u,
                           const char *g, double share) {
  for (size_t i = 0; i < ip->n_rows; i++) {
    if (!in_group(ip->rows[i].name, g))
      continue;
    if (strcmp(g, "max_vendor_share") == 0) {
      /* Recover the vendor of this row: the columns with the largest
       * coefficient belong to it. */
      double mx = -HUGE_VAL;
      for (size_t j = 0; j < ip->n_cols; j++)
        if (u[j].tokens_per_s > 0 && ip->rows[i].a[j] / u[j].tokens_per_s > mx)
          mx = ip->rows[i].a[j] / u[j].tokens_per_s;
      for (size_t j = 0; j < ip->n_cols; j++) {
        int mine = u[j].tokens_per_s > 0 &&
                   fabs(ip->rows[i].a[j] / u[j].tokens_per_s - mx) < 1e-9;
        ip->rows[i].a[j] = ((mine ? 1.0 : 0.0) - share) * u[j].tokens_per_s;
      }
    } else {
      for (size_t j = 0; j < ip->n_cols; j++)
        ip->rows[i].a[j] =
            ((s->cands[u[j].cand].spec.domestic ? 1.0 : 0.0) - share) *
            basis_weight(s, &u[j]);
    }
  }
}

/* Sharpens a share bound of the continuous relaxation (*best) to whole
 * servers, in hundredths: with up, the largest k/100 the whole-server
 * program reaches (the relaxation's bound is above it), else the smallest
 * ceiling it needs (below it). Share 0 (up) and 1 (not up) are feasible:
 * the group is blocking. Leaves *best alone when a check is undecided. */
static int sharpen_share(const hp_ip *ip, const hp_scenario *s,
                         const hp_unit *u, const char *g, int up, double *best,
                         hp_diag *d) {
  int any_int = 0;
  for (size_t j = 0; j < ip->n_cols; j++)
    any_int |= ip->is_int[j];
  if (!any_int)
    return HP_OK;
  hp_ip t;
  if (hp_ip_copy(&t, ip) != HP_OK)
    return hp_diag_oom(d);
  /* Feasible at lo, infeasible at hi (in hundredths; up: lo < hi). */
  int k0 = up ? (int)floor(*best * 100 + 2e-4) : (int)ceil(*best * 100 - 2e-4);
  int lo = up ? 0 : 100, hi = k0, rc = HP_OK, undecided = 0;
  set_share_rows(&t, s, u, g, k0 / 100.0);
  int f = check_feasible(&t, d);
  if (f < 0 || f == 2) {
    rc = f < 0 ? f : HP_OK;
    undecided = f == 2;
  } else if (f == 1) {
    lo = k0;
    hi = up ? k0 + 1 : k0 - 1;
  }
  while (rc == HP_OK && !undecided && abs(hi - lo) > 1) {
    int mid = (lo + hi) / 2;
    set_share_rows(&t, s, u, g, mid / 100.0);
    f = check_feasible(&t, d);
    if (f < 0)
      rc = f;
    else if (f == 2)
      undecided = 1;
    else if (f == 1)
      lo = mid;
    else
      hi = mid;
  }
  hp_ip_cleanup(&t);
  if (rc == HP_OK && !undecided)
    *best = lo / 100.0;
  return rc;
}

/* Bisects the share bound of group g over [lo, hi] keeping the rest of ip;
 * `up` = 1 when feasibility holds below the answer (a minimum share that is
 * too high), 0 when it holds above it (a ceiling that is too low). */
static int bisect_share(const hp_ip *ip, const hp_scenario *s, const hp_unit *u,
                        const char *g, int up, double *best, hp_diag *d) {
  double lo = 0, hi = 1;
  hp_ip t;
  int found = 0;
  if (hp_ip_copy(&t, ip) != HP_OK)
    return hp_diag_oom(d);
  /* On the continuous relaxation: near the boundary each integer
   * feasibility proof can take GLPK a minute, and whole servers move a
   * Doubao-scale share by less than the 0.01 the message prints. */
  for (size_t j = 0; j < t.n_cols; j++)
    t.is_int[j] = 0;
  while (hi - lo > 1e-6) {
    double mid = 0.5 * (lo + hi);
    set_share_rows(&t, s, u, g, mid);
    int f = feasible(&t, d);
    if (f < 0) {
      hp_ip_cleanup(&t);
      return f;
    }
    if (f)
      found = 1;
    if (up == f)
      lo = mid;
    else
      hi = mid;
  }
  hp_ip_cleanup(&t);
  *best = up ? lo : hi;
  if (!found && up)
    return HP_ENOTFOUND;
  return sharpen_share(ip, s, u, g, up, best, d);
}

static const char *basis_label(const hp_scenario *s) {
  return hp_model_basis_name(s->dom_basis);
}

/* A share the plan gave, as given: "0.30", but "0.285" (two decimals would
 * print the 0.28 the bound below may also print). */
static const char *share_given(double v, char *buf, size_t size) {
  double c = v * 100;
  if (fabs(c - floor(c + 0.5)) < 1e-9)
    snprintf(buf, size, "%.2f", v);
  else
    hp_fmt_sig(v, 6, buf, size);
  return buf;
}

/* A throughput in an explanation as the reports print it: grouped
 * thousands (123,456,790), six significant figures below 10,000. */
static const char *fmt_rate(double v, char *buf, size_t size) {
  if (v >= 1e4)
    return hp_fmt_grouped(v, 0, buf, size);
  return hp_fmt_sig(v, 6, buf, size);
}

/* Says why blocking group `name` (dropping it alone makes `t` feasible)
 * cannot be met, and the best value the other constraints allow. */
static int explain_group(const hp_scenario *s, const hp_ip *ip, const hp_ip *t,
                         const hp_unit *u, const char *name, double need,
                         double *obj, hp_buf *b, hp_diag *d) {
  size_t n = ip->n_cols;
  double v = 0;
  if (strcmp(name, "domestic_share.min") == 0) {
    int r = bisect_share(ip, s, u, name, 1, &v, d);
    if (r < 0 && r != HP_ENOTFOUND) {
      return r;
    }
    /* Bounds to two decimals, rounded towards what the plan cannot have:
     * "at most" down, "at least" up (the bisection leaves them within 1e-6,
     * so within 2e-4 of a hundredth they are that hundredth). */
    char given[32];
    hp_buf_printf(b,
                  "constraints.domestic_share.min %s (%s basis) is "
                  "unreachable: the other constraints allow a domestic "
                  "share of at most %.2f",
                  share_given(s->dom_min, given, sizeof given), basis_label(s),
                  r == HP_OK ? floor(v * 100 + 2e-4) / 100 : 0.0);
    /* With supply caps on compute, say how much of demand they cover. */
    if (s->dom_basis == HP_BASIS_COMPUTE && need > 0) {
      hp_ip c;
      if (hp_ip_copy(&c, ip) != HP_OK) {
        return hp_diag_oom(d);
      }
      drop_group(&c, "domestic_share.min");
      drop_group(&c, "demand");
      for (size_t j = 0; j < n; j++)
        obj[j] = s->cands[u[j].cand].spec.domestic ? u[j].tokens_per_s : 0;
      double mx;
      int o = optimise(&c, obj, 1, &mx, d);
      hp_ip_cleanup(&c);
      if (o < 0) {
        return o;
      }
      if (o == 1)
        hp_buf_printf(b,
                      " (domestic cards can serve at most %.2f of "
                      "demand)",
                      mx / need);
    }
  } else if (strcmp(name, "domestic_share.max") == 0) {
    int r = bisect_share(ip, s, u, name, 0, &v, d);
    if (r < 0) {
      return r;
    }
    char given[32];
    hp_buf_printf(b,
                  "constraints.domestic_share.max %s (%s basis) is too "
                  "low: the other constraints need a domestic share of at "
                  "least %.2f",
                  share_given(s->dom_max, given, sizeof given), basis_label(s),
                  ceil(v * 100 - 2e-4) / 100);
  } else if (strcmp(name, "max_vendor_share") == 0) {
    int r = bisect_share(ip, s, u, name, 0, &v, d);
    if (r < 0) {
      return r;
    }
    char given[32];
    hp_buf_printf(b,
                  "constraints.max_vendor_share %s is too low: the "
                  "other constraints need one vendor to carry at least "
                  "%.2f of the throughput",
                  share_given(s->max_vendor_share, given, sizeof given),
                  ceil(v * 100 - 2e-4) / 100);
  } else if (strcmp(name, "budget_cny") == 0) {
    for (size_t j = 0; j < n; j++)
      obj[j] = u[j].price_cny;
    int o = optimise(t, obj, 0, &v, d);
    if (o < 0) {
      return o;
    }
    char n1[48], n2[48]; /* never "3.64326e+10 CNY" */
    hp_buf_printf(b,
                  "constraints.budget_cny %s CNY is too low: the "
                  "cheapest plan that meets the other constraints costs "
                  "%s CNY",
                  hp_fmt_sig(s->budget_cny, 6, n1, sizeof n1),
                  hp_fmt_sig(v, 6, n2, sizeof n2));
  } else if (strcmp(name, "power_mw") == 0) {
    for (size_t j = 0; j < n; j++)
      obj[j] = u[j].power_kw / 1000.0;
    int o = optimise(t, obj, 0, &v, d);
    if (o < 0) {
      return o;
    }
    char n1[48], n2[48];
    hp_buf_printf(b,
                  "constraints.power_mw %s MW is too low: meeting the "
                  "other constraints needs at least %s MW",
                  hp_fmt_sig(s->power_mw, 6, n1, sizeof n1),
                  hp_fmt_sig(v, 4, n2, sizeof n2));
  } else if (strcmp(name, "caps") == 0) {
    hp_ip c;
    if (hp_ip_copy(&c, ip) != HP_OK) {
      return hp_diag_oom(d);
    }
    drop_group(&c, "demand");
    for (size_t j = 0; j < n; j++)
      obj[j] = u[j].tokens_per_s;
    int o = optimise(&c, obj, 1, &v, d);
    hp_ip_cleanup(&c);
    if (o < 0) {
      return o;
    }
    /* The figure is the caps' under every other group present (a share
     * row can stop an uncapped SKU from filling the rest): name them. */
    char vb[48], nb[48];
    hp_buf_printf(b, "supply caps allow at most %s tokens/s",
                  fmt_rate(v, vb, sizeof vb));
    int kept = 0;
    for (size_t g = 0; g < N_GROUPS; g++)
      if (strcmp(groups[g], "caps") != 0 && has_group(ip, groups[g]))
        hp_buf_printf(b, "%s%s", kept++ ? " and " : " with ", groups[g]);
    if (kept)
      hp_buf_puts(b, " kept");
    hp_buf_printf(b, ", %.2f of the required %s tokens/s",
                  need > 0 ? v / need : 0.0, fmt_rate(need, nb, sizeof nb));
    /* Enough in total, yet infeasible: not in the mix the rest needs. */
    if (need > 0 && v >= need)
      hp_buf_puts(b, hp_planner_is_roofline(s)
                         ? ", but not in the mix of request classes the "
                           "workload needs under the other constraints"
                         : ", but not together with the other constraints");
    /* Whole servers: a cap below one server's cards buys none of it. */
    int first = 1;
    for (size_t i = 0; s->gran == HP_GRAN_SERVER && i < s->n_caps; i++) {
      const hp_cap *cp = &s->caps[i];
      /* The smallest server among the cards the cap covers. */
      double per = HUGE_VAL;
      for (size_t k = 0; k < s->n_cands; k++) {
        const hp_device_spec *sp = &s->cands[k].spec;
        if (strcmp(cp->is_vendor ? sp->vendor : sp->id, cp->key) == 0 &&
            sp->fig[HP_FIG_cards_per_server] < per)
          per = sp->fig[HP_FIG_cards_per_server];
      }
      if (!(cp->cards < per) || per == HUGE_VAL)
        continue;
      char n1[48], n2[48];
      hp_buf_printf(b,
                    "%s%s%s capped at %s cards, below one server of %s "
                    "cards",
                    first ? "; whole servers only (granularity: server): "
                          : ", ",
                    cp->is_vendor ? "vendor " : "", cp->key,
                    hp_fmt_sig(cp->cards, 6, n1, sizeof n1),
                    hp_fmt_sig(per, 6, n2, sizeof n2));
      first = 0;
    }
  }
  return HP_OK;
}

/* Explains why ip is infeasible, into b. */
static int explain(const hp_scenario *s, const hp_ip *ip, const hp_unit *u,
                   hp_buf *b, hp_diag *d) {
  size_t n = ip->n_cols;
  int live = 0;
  for (size_t j = 0; j < n; j++)
    live |= ip->ub[j] > 0;
  if (!live) {
    hp_buf_puts(b, "no device is left to buy: constraints.exclude_vendors "
                   "removes every candidate");
    return HP_OK;
  }
  double need = hp_planner_demand_tokens_per_s(s) * (1.0 + s->headroom);
  double *obj = hp_calloc(n ? n : 1, sizeof *obj);
  if (!obj)
    return hp_diag_oom(d);
  int rc = HP_OK, blocking = 0;
  for (size_t g = 0; g < N_GROUPS; g++) {
    const char *name = groups[g];
    if (!has_group(ip, name))
      continue;
    hp_ip t;
    if (hp_ip_copy(&t, ip) != HP_OK) {
      rc = hp_diag_oom(d);
      goto out;
    }
    drop_group(&t, name);
    int f = feasible(&t, d);
    if (f < 0) {
      hp_ip_cleanup(&t);
      rc = f;
      goto out;
    }
    if (!f) {
      hp_ip_cleanup(&t);
      continue;
    }
    blocking++;
    if (b->len)
      hp_buf_puts(b, "; ");
    rc = explain_group(s, ip, &t, u, name, need, obj, b, d);
    hp_ip_cleanup(&t);
    if (rc < 0)
      goto out;
  }
  if (!blocking) {
    hp_ip c;
    double v = 0;
    if (hp_ip_copy(&c, ip) != HP_OK) {
      rc = hp_diag_oom(d);
      goto out;
    }
    drop_group(&c, "demand");
    for (size_t j = 0; j < n; j++)
      obj[j] = u[j].tokens_per_s;
    int o = optimise(&c, obj, 1, &v, d);
    hp_ip_cleanup(&c);
    if (o < 0) {
      rc = o;
      goto out;
    }
    hp_buf_puts(b, "no single constraint is to blame; together ");
    int first = 1;
    for (size_t g = 0; g < N_GROUPS; g++)
      if (has_group(ip, groups[g])) {
        hp_buf_printf(b, "%s%s", first ? "" : ", ", groups[g]);
        first = 0;
      }
    if (first)
      hp_buf_puts(b, "the devices' capacity");
    char n1[48], n2[48];
    hp_buf_printf(b,
                  " allow at most %s tokens/s, %.2f of the required %s "
                  "tokens/s",
                  fmt_rate(v, n1, sizeof n1), need > 0 ? v / need : 0.0,
                  fmt_rate(need, n2, sizeof n2));
  }
out:
  hp_free(obj);
  return rc;
}

/* ----------------------------------------------------------------------------
 * Results
 * ------------------------------------------------------------------------- */

void hp_planner_result_cleanup(hp_scenario_result *r) {
  if (!r)
    return;
  hp_free((char *)r->name);
  for (size_t i = 0; i < r->n_lines; i++)
    hp_free((char *)r->lines[i].note);
  hp_free(r->lines);
  for (size_t i = 0; i < r->n_warnings; i++)
    hp_free(r->warnings[i]);
  hp_free(r->warnings);
  hp_free(r->vendors);
  hp_free(r->explanation);
  for (size_t i = 0; i < r->n_assigns; i++)
    hp_free((char *)r->assigns[i].request_class);
  hp_free(r->assigns);
  for (size_t i = 0; i < r->n_splits; i++) {
    hp_free((char *)r->splits[i].service);
    hp_free((char *)r->splits[i].request_class);
    hp_free((char *)r->splits[i].source);
  }
  hp_free(r->splits);
  hp_free(r->pools);
  if (r->compare) {
    hp_planner_result_cleanup(r->compare);
    hp_free(r->compare);
  }
  memset(r, 0, sizeof *r);
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_line(const void *a, const void *b) {
  const hp_plan_line *x = a, *y = b;
  if (x->capex_cny != y->capex_cny)
    return x->capex_cny < y->capex_cny ? 1 : -1;
  return strcmp(x->device, y->device);
}

void hp_planner_roll_up(const hp_scenario *s, hp_scenario_result *r, int sort) {
  double dom_t = 0, dom_c = 0, dom_k = 0;
  for (size_t i = 0; i < r->n_lines; i++) {
    const hp_plan_line *l = &r->lines[i];
    r->cards += l->cards;
    r->servers += l->servers;
    r->capex_cny += l->capex_cny;
    r->delivered_tokens_per_s += l->tokens_per_s;
    r->power_mw += l->power_kw / 1000.0;
    if (l->domestic) {
      dom_t += l->tokens_per_s;
      dom_c += l->cards;
      dom_k += l->capex_cny;
    }
  }
  if (sort)
    qsort(r->lines, r->n_lines, sizeof *r->lines, cmp_line);
  for (size_t i = 0; i < r->n_lines; i++) {
    const hp_plan_line *l = &r->lines[i];
    size_t k = 0;
    while (k < r->n_vendors && strcmp(r->vendors[k].vendor, l->vendor) != 0)
      k++;
    hp_plan_vendor *v = &r->vendors[k];
    if (k == r->n_vendors) {
      r->n_vendors++;
      v->vendor = l->vendor;
      v->domestic = 1;
    }
    v->domestic &= l->domestic;
    v->cards += l->cards;
    v->servers += l->servers;
    v->capex_cny += l->capex_cny;
    v->tokens_per_s += l->tokens_per_s;
  }
  r->domestic_share_compute =
      r->delivered_tokens_per_s > 0 ? dom_t / r->delivered_tokens_per_s : 0;
  r->domestic_share_cards = r->cards > 0 ? dom_c / r->cards : 0;
  r->domestic_share_capex = r->capex_cny > 0 ? dom_k / r->capex_cny : 0;
  r->tco_cny = r->capex_cny + r->years * r->opex_cny_per_year;
  r->cost_per_mtok_cny =
      hp_planner_cost_per_mtok(s, r->tco_cny, r->delivered_tokens_per_s);
}

static int fill_lines(const hp_scenario *s, const hp_catalog *cat,
                      const hp_unit *u, const double *x, int lean,
                      hp_scenario_result *r) {
  size_t nc = s->n_cands, n = hp_planner_columns(s);
  int roof = !lean && hp_planner_is_roofline(s);
  r->lines = hp_calloc(nc ? nc : 1, sizeof *r->lines);
  r->vendors = hp_calloc(nc ? nc : 1, sizeof *r->vendors);
  hp_plan_line *agg = hp_calloc(nc ? nc : 1, sizeof *agg);
  double *opex = hp_calloc(nc ? nc : 1, sizeof *opex);
  if (roof)
    r->assigns = hp_calloc(n ? n : 1, sizeof *r->assigns);
  if (!r->lines || !r->vendors || !agg || !opex || (roof && !r->assigns)) {
    hp_free(agg);
    hp_free(opex);
    return HP_ENOMEM;
  }
  /* Columns add up per SKU (one column per SKU under flops). */
  for (size_t j = 0; j < n; j++) {
    double v = x[j];
    if (s->gran != HP_GRAN_FRACTIONAL)
      v = floor(v + 0.5);
    if (!(v > 0)) /* not 1e-9: a fractional plan may need 2e-12 of a
                     4e17 tokens/s server (issue 19) */
      continue;
    size_t k = u[j].cand;
    const hp_candidate *c = &s->cands[k];
    hp_plan_line *l = &agg[k];
    l->servers = 1; /* marks the SKU as bought */
    l->cards += v * u[j].cards;
    l->capex_cny += v * u[j].price_cny;
    l->tokens_per_s += v * u[j].tokens_per_s;
    l->power_kw += v * u[j].power_kw;
    opex[k] += v * u[j].opex_cny_year;
    if (roof) {
      const hp_device_spec *cs = hp_catalog_find(cat, c->spec.id);
      hp_plan_assign *as = &r->assigns[r->n_assigns];
      double cps = c->spec.fig[HP_FIG_cards_per_server];
      char *nm = hp_strdup(s->classes[u[j].cls].name);
      if (!nm) {
        hp_free(agg);
        hp_free(opex);
        return HP_ENOMEM;
      }
      as->request_class = nm;
      r->n_assigns++;
      as->device = cs ? cs->id : c->spec.id;
      as->servers = v * u[j].cards / cps;
      as->tokens_per_s = v * u[j].tokens_per_s;
      as->tokens_per_s_per_server = u[j].tokens_per_s * cps / u[j].cards;
      as->tp = u[j].tp;
      as->batch = u[j].batch;
      as->memory_bound = u[j].memory_bound;
      as->ttft_ms = u[j].ttft_ms;
      as->tpot_ms = u[j].tpot_ms;
    }
  }
  for (size_t k = 0; k < nc; k++) {
    if (agg[k].servers == 0)
      continue;
    const hp_candidate *c = &s->cands[k];
    const hp_device_spec *cs = cat ? hp_catalog_find(cat, c->spec.id) : NULL;
    hp_plan_line *l = &r->lines[r->n_lines++];
    *l = agg[k];
    l->device = cs ? cs->id : c->spec.id;
    l->vendor = cs ? cs->vendor : c->spec.vendor;
    l->domestic = c->spec.domestic;
    l->servers = l->cards / c->spec.fig[HP_FIG_cards_per_server];
    l->tokens_per_s_per_server = roof ? l->tokens_per_s / l->servers
                                      : hp_planner_server_tokens_per_s(s, c);
    l->measured = c->measured;
    char note[256]; /* fp4/fp8 weights on a card without that roof */
    if (roof && hp_roof_compute_note(&s->model, c, note, sizeof note) &&
        !(l->note = hp_strdup(note))) {
      hp_free(agg);
      hp_free(opex);
      return HP_ENOMEM;
    }
    r->opex_cny_per_year += opex[k];
  }
  hp_free(agg);
  hp_free(opex);
  hp_planner_roll_up(s, r, !lean); /* lean: candidate order */
  return lean ? HP_OK : hp_scenario_market_warnings(s, r);
}

double hp_planner_cost_per_mtok(const hp_scenario *s, double tco_cny,
                                double delivered_tokens_per_s) {
  /* The workload's tokens, which the plan serves; under max_tokens the
   * workload is not a constraint (only its model and peak factor count),
   * so the tokens are those the bought capacity sustains. */
  double tokens = s->tokens_per_day * 365.0 * s->years;
  if (s->objective == HP_OBJ_MAX_TOKENS)
    tokens = delivered_tokens_per_s /
             (s->peak_factor > 0 ? s->peak_factor : 1) * s->seconds_per_day *
             365.0 * s->years;
  return tokens > 0 ? tco_cny / tokens * 1e6 : 0;
}

double hp_planner_gap(const hp_ip_solution *sol, const hp_check *ck,
                      double mip_gap) {
  if (!sol->node_limited && !sol->within_gap && !ck->repaired)
    return 0;
  /* What no plan beats: the bound the search proved, or, stopped at a
   * gap, the point's objective less that gap; a repaired point is
   * measured from it. */
  double z = ck->repaired ? ck->objective : sol->objective;
  if (sol->node_limited && !isfinite(sol->bound))
    return HUGE_VAL;
  double bound = sol->node_limited ? sol->bound : sol->objective;
  if (z == 0)
    return bound == 0 ? 0 : HUGE_VAL;
  double g = fabs(z - bound) / fabs(z);
  if (sol->within_gap)
    g += mip_gap;
  return g;
}

/* ----------------------------------------------------------------------------
 * Checking the solver's point (issue 19)
 * ------------------------------------------------------------------------- */

/* How far row i misses at x, as a share of its terms (0 when it holds to
 * HP_CHECK_REL), in long double: the sum of up to 256 x 1,792 products of
 * doubles keeps 64 bits of mantissa, so a row of 1e13 tokens/s is judged
 * to the token. */
static long double row_miss(const hp_ip_row *r, size_t n, const double *x,
                            long double *act_out) {
  long double act = 0, mag = 0;
  for (size_t j = 0; j < n; j++) {
    long double t = (long double)r->a[j] * x[j];
    act += t;
    mag += fabsl(t);
  }
  if (act_out)
    *act_out = act;
  long double miss = 0;
  if (r->lo > -HUGE_VAL) {
    mag += fabsl((long double)r->lo);
    miss = (long double)r->lo - act;
  }
  if (r->hi < HUGE_VAL) {
    mag += fabsl((long double)r->hi);
    if (act - (long double)r->hi > miss)
      miss = act - (long double)r->hi;
  }
  if (!(miss > (long double)HP_CHECK_REL * mag))
    return 0;
  return mag > 0 ? miss / mag : miss;
}

/* The sum of every row's miss at x; *worst receives the row that misses
 * most (n_rows if none). */
static long double total_miss(const hp_ip *ip, const double *x, size_t *worst) {
  long double sum = 0, mx = 0;
  *worst = ip->n_rows;
  for (size_t i = 0; i < ip->n_rows; i++) {
    long double m = row_miss(&ip->rows[i], ip->n_cols, x, NULL);
    sum += m;
    if (m > mx) {
      mx = m;
      *worst = i;
    }
  }
  return sum;
}

static long double objective_at(const hp_ip *ip, const double *x) {
  long double v = 0;
  for (size_t j = 0; j < ip->n_cols; j++)
    v += (long double)ip->obj[j] * x[j];
  return v;
}

/* Moves on column j of the smallest size that mends row i (whole units on
 * an integer column), kept within the column's bounds; 0 if none. */
static int mend_step(const hp_ip *ip, size_t i, size_t j, const double *x,
                     double *step) {
  const hp_ip_row *r = &ip->rows[i];
  double a = r->a[j];
  if (a == 0)
    return 0;
  long double act;
  row_miss(r, ip->n_cols, x, &act);
  long double need = r->lo > -HUGE_VAL && act < (long double)r->lo
                         ? (long double)r->lo - act
                         : (long double)r->hi - act; /* < 0 */
  long double d = need / a;
  if (ip->is_int[j])
    d = d > 0 ? ceill(d) : floorl(d);
  else
    d += d * 1e-15L; /* just past the bound */
  if (d == 0)
    return 0;
  double v = (double)(x[j] + d);
  if (v < ip->lb[j] || v > ip->ub[j])
    return 0;
  *step = (double)d;
  return 1;
}

/* A row's figure in a message without exponents: grouped thousands with
 * no decimals from 1 up (every digit past 1e15), three significant
 * figures below 1 ("0.00000000000000000000760"). */
static const char *fmt_plain(double v, char *buf, size_t size) {
  double m = fabs(v);
  if (m >= 1e15)
    snprintf(buf, size, "%.0f", v);
  else if (m >= 1 || m == 0)
    hp_fmt_grouped(v, 0, buf, size);
  else {
    int dec = 2 - (int)floor(log10(m));
    snprintf(buf, size, "%.*f", dec > 40 ? 40 : dec, v);
  }
  return buf;
}

void hp_planner_check(const hp_ip *ip, double *x, hp_check *out) {
  size_t n = ip->n_cols;
  int int_moved = 0;
  memset(out, 0, sizeof *out);
  long double obj0 = objective_at(ip, x);
  /* Whole units, within the bounds (a cap's bound rounded by the solver's
   * tolerance comes back to it). */
  for (size_t j = 0; j < n; j++) {
    double v = x[j];
    if (ip->is_int[j])
      v = floor(v + 0.5);
    if (v < ip->lb[j])
      v = ip->is_int[j] ? ceil(ip->lb[j]) : ip->lb[j];
    if (v > ip->ub[j])
      v = ip->is_int[j] ? floor(ip->ub[j]) : ip->ub[j];
    if (fabs(v) > HP_CHECK_MAX_UNITS) {
      out->failed = 1;
      snprintf(out->why, sizeof out->why,
               "the plan needs more than 2^53 (9,007,199,254,740,992) units "
               "of one device, beyond what double precision counts in whole "
               "units: check the figures (HP_CHECK_MAX_UNITS)");
      return;
    }
    if (v != x[j] && fabs(v - x[j]) > 1e-6 * fmax(1, fabs(v)))
      int_moved |= ip->is_int[j]; /* more than the integrality slack */
    x[j] = v;
  }
  size_t worst;
  long double miss = total_miss(ip, x, &worst);
  /* Repair: the worst row is mended by one column's move, the move
   * chosen that leaves the least miss over every row, then the lowest
   * objective; at most a few rounds, each of which must reduce the miss. */
  for (int round = 0; miss > 0 && round < 8 + 2 * (int)ip->n_rows; round++) {
    long double best_miss = miss, best_obj = 0;
    size_t bj = n;
    double bstep = 0;
    long double sign = ip->maximize ? -1 : 1;
    for (size_t j = 0; j < n; j++) {
      double step, keep = x[j];
      if (!mend_step(ip, worst, j, x, &step))
        continue;
      size_t w;
      x[j] = keep + step;
      long double m = total_miss(ip, x, &w);
      long double o = sign * objective_at(ip, x);
      x[j] = keep;
      if (m < best_miss || (bj < n && m == best_miss && o < best_obj)) {
        best_miss = m;
        best_obj = o;
        bj = j;
        bstep = step;
      }
    }
    if (bj == n)
      break;
    x[bj] += bstep;
    int_moved |= ip->is_int[bj];
    out->repaired = 1;
    miss = total_miss(ip, x, &worst);
  }
  long double obj = objective_at(ip, x);
  out->objective = (double)obj;
  if (int_moved)
    out->repaired = 1;
  else if (out->repaired && fabsl(obj - obj0) <= 1e-9L * fmaxl(1, fabsl(obj0)))
    out->repaired = 0; /* an LP optimum, to rounding */
  if (miss > 0) {
    const hp_ip_row *r = &ip->rows[worst];
    long double act;
    row_miss(r, n, x, &act);
    char a[64], b[64];
    /* The row's unit, by its name (planner rows only). */
    const char *unit = strncmp(r->name, "demand", 6) == 0   ? " tokens/s"
                       : strcmp(r->name, "budget_cny") == 0 ? " CNY"
                       : strcmp(r->name, "power_mw") == 0   ? " MW"
                       : strncmp(r->name, "caps", 4) == 0   ? " cards"
                                                            : "";
    snprintf(out->why, sizeof out->why,
             "the solver's plan misses constraint '%s' (%s%s against a "
             "limit of %s%s) and no simple repair meets every constraint: "
             "figures this far apart are beyond what the solver resolves",
             r->name, fmt_plain((double)act, a, sizeof a), unit,
             fmt_plain(act < (long double)r->lo ? r->lo : r->hi, b, sizeof b),
             unit);
    out->failed = 1;
  }
}

/* A gap in percent without exponents: three significant figures
 * ("0.0154%", "0.000688%"), "under 0.000000000001%" below that. */
int hp_planner_check_scenario(const hp_scenario *s, const hp_ip *ip,
                              const hp_unit *u, double *x, hp_check *out) {
  if (s->n_services)
    return hp_planner_services_check(ip, u, x, out);
  hp_planner_check(ip, x, out);
  return HP_OK;
}

static void fmt_gap(double gap, char *buf, size_t size) {
  double pct = 100 * gap;
  if (pct >= 100)
    snprintf(buf, size, "%.0f%%", pct);
  else if (pct >= 0.001)
    snprintf(buf, size, "%.3g%%", pct);
  else if (pct >= 1e-12)
    snprintf(buf, size, "%.*f%%", 2 - (int)floor(log10(pct)), pct);
  else if (pct > 0)
    snprintf(buf, size, "under 0.000000000001%%");
  else
    snprintf(buf, size, "0%%");
}

const char *hp_planner_status_word(hp_result_status st, int proven, double gap,
                                   int gap_is_bound, char *buf, size_t size) {
  if (st != HP_RESULT_OPTIMAL || proven) {
    snprintf(buf, size, "%s", hp_result_status_name(st));
    return buf;
  }
  char g[32];
  if (!isfinite(gap)) {
    snprintf(buf, size, "feasible, not proven optimal (no bound on the gap)");
    return buf;
  }
  fmt_gap(gap, g, sizeof g);
  snprintf(buf, size, "feasible, not proven optimal (gap %s%s)",
           gap_is_bound && 100 * gap >= 1e-12 ? "at most " : "", g);
  return buf;
}

char *hp_planner_status_word_csv(char *word) {
  for (char *c = word; *c; c++)
    if (*c == ',')
      *c = ';';
  return word;
}

double hp_result_sustained_tokens_per_day(const hp_scenario_result *r) {
  assert(r);
  return r->delivered_tokens_per_s / (r->peak_factor > 0 ? r->peak_factor : 1) *
         r->seconds_per_day;
}

const char *hp_result_status_name(hp_result_status s) {
  switch (s) {
  case HP_RESULT_OPTIMAL:
    return "optimal";
  case HP_RESULT_INFEASIBLE:
    return "infeasible";
  default:
    return "error";
  }
}

int hp_result_proven(const hp_scenario_result *r) {
  assert(r);
  return r->status == HP_RESULT_OPTIMAL && !r->within_gap && !r->node_limited &&
         !r->repaired;
}

const char *hp_result_status_word(const hp_scenario_result *r, char *buf,
                                  size_t size) {
  assert(r);
  return hp_planner_status_word(r->status, hp_result_proven(r), r->gap,
                                !r->node_limited, buf, size);
}

int hp_planner_buys_nothing(const hp_scenario *s,
                            double delivered_tokens_per_s) {
  return s->objective == HP_OBJ_MAX_TOKENS && !(delivered_tokens_per_s > 0);
}

/* Why an objective max_tokens plan bought nothing: a budget below the
 * cheapest server it may buy, or else the constraint that forbids buying
 * anything (explained as if at least one server's tokens/s were
 * demanded). */
static int explain_nothing(const hp_scenario *s, const hp_ip *ip,
                           const hp_unit *u, hp_buf *b, hp_diag *d) {
  size_t n = ip->n_cols, best = n;
  double least = HUGE_VAL;
  for (size_t j = 0; j < n; j++) {
    if (!(u[j].tokens_per_s > 0) || !(ip->ub[j] > 0))
      continue; /* excluded, or capped at nothing */
    if (best == n || u[j].price_cny < u[best].price_cny)
      best = j;
    if (u[j].tokens_per_s < least)
      least = u[j].tokens_per_s;
  }
  if (best < n && s->budget_cny > 0 && u[best].price_cny > s->budget_cny) {
    char num[48];
    char nb[48];
    hp_buf_printf(b,
                  "constraints.budget_cny %s CNY buys nothing: the "
                  "cheapest %s the plan can buy (%s) costs %s CNY",
                  hp_fmt_sig(s->budget_cny, 6, nb, sizeof nb),
                  s->gran == HP_GRAN_SERVER ? "server" : "card",
                  s->cands[u[best].cand].spec.id,
                  hp_fmt_grouped(u[best].price_cny, 0, num, sizeof num));
    return HP_OK;
  }
  if (best == n) {
    hp_buf_puts(b, "nothing can be bought: every candidate is excluded or "
                   "capped at zero");
    return HP_OK;
  }
  /* Something fits the budget: the blame lies elsewhere. Ask for the
   * smallest purchase and explain why it is infeasible. */
  hp_ip c;
  if (hp_ip_copy(&c, ip) != HP_OK)
    return hp_diag_oom(d);
  double *a = hp_calloc(n ? n : 1, sizeof *a);
  int rc = a ? HP_OK : hp_diag_oom(d);
  for (size_t j = 0; a && j < n; j++)
    a[j] = u[j].tokens_per_s;
  if (rc == HP_OK)
    rc = hp_ip_add_row(&c, "demand", a, least, HUGE_VAL, NULL) == HP_OK
             ? HP_OK
             : hp_diag_oom(d);
  hp_free(a);
  hp_buf why;
  hp_buf_init(&why);
  if (rc == HP_OK && (rc = explain(s, &c, u, &why, d)) == HP_OK)
    hp_buf_printf(b, "nothing can be bought: %s", why.data ? why.data : "");
  if (why.oom && rc == HP_OK)
    rc = hp_diag_oom(d);
  hp_buf_cleanup(&why);
  hp_ip_cleanup(&c);
  return rc;
}

/* The figures every renderer reads but none may compute (since 0.5): the
 * margin over the token price and the cost as a share of it, the sustained
 * tokens/day, each vendor's power, each (class, SKU) assignment's share of
 * its SKU line, and the
 * ratio of the two demand models' answers under --compare-models. Written
 * by assignment, so calling it again after `compare` is set is safe. */
static void finish_figures(hp_scenario_result *r) {
  r->margin = r->token_price_per_mtok_cny > 0
                  ? 1 - r->cost_per_mtok_cny / r->token_price_per_mtok_cny
                  : 0;
  r->cost_over_price_pct =
      r->token_price_per_mtok_cny > 0
          ? 100.0 * r->cost_per_mtok_cny / r->token_price_per_mtok_cny
          : 0;
  r->sustained_tokens_per_day = hp_result_sustained_tokens_per_day(r);
  r->sustained_over_workload =
      r->objective && strcmp(r->objective, "max_tokens") == 0 &&
              r->tokens_per_day > 0
          ? r->sustained_tokens_per_day / r->tokens_per_day
          : 0;
  for (size_t k = 0; k < r->n_vendors; k++) {
    r->vendors[k].power_kw = 0;
    for (size_t l = 0; l < r->n_lines; l++)
      if (strcmp(r->lines[l].vendor, r->vendors[k].vendor) == 0)
        r->vendors[k].power_kw += r->lines[l].power_kw;
  }
  for (size_t k = 0; k < r->n_assigns; k++) {
    hp_plan_assign *a = &r->assigns[k];
    const hp_plan_line *l = NULL;
    for (size_t j = 0; j < r->n_lines && !l; j++)
      if (strcmp(r->lines[j].device, a->device) == 0)
        l = &r->lines[j];
    double f = l && l->servers > 0 ? a->servers / l->servers : 0;
    a->cards = l ? f * l->cards : 0;
    a->capex_cny = l ? f * l->capex_cny : 0;
    a->power_kw = l ? f * l->power_kw : 0;
  }
  r->compare_ratio = r->compare_off = 0;
  const hp_scenario_result *o = r->compare;
  if (!o || r->status != HP_RESULT_OPTIMAL || o->status != HP_RESULT_OPTIMAL)
    return;
  const hp_scenario_result *fl = strcmp(r->demand_model, "flops") == 0 ? r : o;
  const hp_scenario_result *rf = fl == r ? o : r;
  /* A budget plan spends the same on both sides: what differs is what it
   * buys. */
  double a = fl->capex_cny, b = rf->capex_cny;
  if (strcmp(fl->objective, "max_tokens") == 0) {
    a = fl->delivered_tokens_per_s;
    b = rf->delivered_tokens_per_s;
  }
  if (a > 0 && b > 0) {
    r->compare_ratio = b / a;
    r->compare_off = a / b - 1;
  }
}

static void warm_arm(const hp_solve_warm *w, hp_ip *ip, hp_ip_cut *cut);
static int warm_keep(hp_solve_warm *w, hp_ip *ip, const hp_ip_solution *sol,
                     const hp_check *ck);

int hp_planner_solve_opts(const hp_scenario *s, const hp_catalog *cat,
                          hp_solve_opts *o, hp_scenario_result *r, hp_diag *d) {
  hp_solve_opts def;
  if (!o) {
    hp_planner_solve_opts_default(&def);
    o = &def;
  }
  o->error = HP_OK;
  int warm_ok = o->warm && o->warm->valid;
  if (o->warm)
    o->warm->valid = 0; /* until this point's optimum replaces it */
  memset(r, 0, sizeof *r);
  if (!(r->name = hp_strdup(s->name)))
    return hp_diag_oom(d);
  r->granularity = hp_model_granularity_name(s->gran);
  r->objective = hp_model_objective_name(s->objective);
  r->demand_model = hp_model_demand_model_name(s->demand_model);
  r->demand_tokens_per_s = hp_planner_demand_tokens_per_s(s);
  r->demand_flops = r->demand_tokens_per_s * 2.0 * s->model.active_params;
  r->required_tokens_per_s = r->demand_tokens_per_s * (1.0 + s->headroom);
  r->tokens_per_day = s->tokens_per_day;
  r->seconds_per_day = s->seconds_per_day;
  r->peak_factor = s->peak_factor;
  r->years = s->years;
  r->mip_gap = s->mip_gap;
  r->node_limit = s->node_limit;
  r->token_price_per_mtok_cny = s->token_price_cny_per_mtok;

  if (s->n_services) {
    int src = hp_planner_services_solve(s, cat, o->lean, r, d);
    if (src == HP_OK && r->status == HP_RESULT_ERROR)
      o->error = HP_ESOLVER;
    return src;
  }
  hp_ip ip;
  hp_unit *u = NULL;
  hp_ip_solution sol;
  memset(&sol, 0, sizeof sol);
  int rc = hp_planner_build(s, &ip, &u, d);
  if (rc != HP_OK) {
    hp_planner_result_cleanup(r);
    return rc;
  }
  if (hp_planner_is_roofline(s)) {
    /* A request class no SKU can serve makes the program infeasible for a
     * reason the solver cannot see: say it from the roofline. */
    hp_buf b;
    hp_buf_init(&b);
    size_t n = hp_planner_columns(s);
    for (size_t i = 0; i < s->n_classes; i++) {
      int any = 0;
      for (size_t j = 0; j < n; j++)
        any |= u[j].cls == i && u[j].usable;
      if (any)
        continue;
      hp_buf_printf(&b, "%sno device can serve request class '%s': ",
                    b.len ? "; " : "", s->classes[i].name);
      for (size_t k = 0; k < s->n_cands; k++) {
        hp_roof_result rr;
        hp_roof_eval(&s->model, &s->cands[k], &s->classes[i], &s->roof, &rr);
        hp_buf_printf(&b, "%s%s: %s", k ? "; " : "", s->cands[k].spec.id,
                      rr.why);
      }
    }
    if (b.len || b.oom) {
      r->status = HP_RESULT_INFEASIBLE;
      hp_ip_cleanup(&ip);
      hp_free(u);
      if (!o->explain)
        hp_buf_cleanup(&b);
      else if (hp_buf_detach(&b, &r->explanation, NULL) != HP_OK) {
        hp_planner_result_cleanup(r);
        return hp_diag_oom(d);
      }
      finish_figures(r);
      return HP_OK;
    }
    hp_buf_cleanup(&b);
  }
  hp_ip_cut cut;
  /* A sweep's point, with or without its neighbour's optimum. */
  ip.sweep_point = o->warm != NULL;
  if (warm_ok)
    warm_arm(o->warm, &ip, &cut);
  double t0 = now_ms();
  rc = hp_solver_solve_with(&ip, (hp_ip_engine)hp_planner_engine(s, o->lean),
                            &sol, d);
  r->solve_ms = now_ms() - t0;
  ip.cut = NULL;
  ip.hint = NULL;
  if (rc != HP_OK && rc != HP_ESOLVER)
    goto fail;
  hp_buf b;
  hp_buf_init(&b);
  if (rc == HP_OK && sol.status == HP_SOL_ERROR && sol.node_limited) {
    r->status = HP_RESULT_ERROR;
    o->error = HP_ESOLVER;
    hp_buf_printf(&b,
                  "no plan found within solver.node_limit (%.0f nodes): "
                  "raise it",
                  s->node_limit);
  } else if (rc == HP_ESOLVER || sol.status == HP_SOL_ERROR) {
    r->status = HP_RESULT_ERROR;
    o->error = HP_ESOLVER;
    hp_buf_printf(&b, "solver error: %s",
                  sol.error[0] ? sol.error : (d ? d->msg : "unknown"));
    rc = HP_OK;
  } else if (sol.status == HP_SOL_UNBOUNDED) {
    r->status = HP_RESULT_ERROR;
    o->error = HP_EUNBOUNDED;
    hp_buf_puts(&b, "the objective is unbounded: add a budget or caps");
  } else if (sol.status == HP_SOL_INFEASIBLE) {
    r->status = HP_RESULT_INFEASIBLE;
    if (o->explain && (rc = explain(s, &ip, u, &b, d)) != HP_OK) {
      hp_buf_cleanup(&b);
      goto fail;
    }
  } else {
    /* The solver's point, checked against the rows independently of it
     * (and repaired if it misses by rounding): no plan that fails them is
     * reported. */
    hp_check ck;
    hp_planner_check(&ip, sol.x, &ck);
    if (ck.failed) {
      r->status = HP_RESULT_ERROR;
      o->error = HP_ESOLVER;
      hp_buf_puts(&b, ck.why);
      goto done;
    }
    r->status = HP_RESULT_OPTIMAL;
    r->within_gap = sol.within_gap;
    r->node_limited = sol.node_limited;
    r->repaired = ck.repaired;
    r->gap = hp_planner_gap(&sol, &ck, s->mip_gap);
    if (fill_lines(s, cat, u, sol.x, o->lean, r) != HP_OK) {
      hp_buf_cleanup(&b);
      rc = hp_diag_oom(d);
      goto fail;
    }
    if (hp_planner_buys_nothing(s, r->delivered_tokens_per_s)) {
      r->status = HP_RESULT_INFEASIBLE;
      if (o->explain && (rc = explain_nothing(s, &ip, u, &b, d)) != HP_OK) {
        hp_buf_cleanup(&b);
        goto fail;
      }
    }
    if (warm_keep(o->warm, &ip, &sol, &ck) != HP_OK) {
      hp_buf_cleanup(&b);
      rc = hp_diag_oom(d);
      goto fail;
    }
  }
done:
  if (r->status != HP_RESULT_OPTIMAL && (o->explain || b.len || b.oom) &&
      hp_buf_detach(&b, &r->explanation, NULL) != HP_OK) {
    rc = hp_diag_oom(d);
    goto fail;
  }
  hp_buf_cleanup(&b);
  hp_ip_solution_cleanup(&sol);
  hp_ip_cleanup(&ip);
  hp_free(u);
  finish_figures(r);
  return HP_OK;
fail:
  hp_ip_solution_cleanup(&sol);
  hp_ip_cleanup(&ip);
  hp_free(u);
  hp_planner_result_cleanup(r);
  return rc;
}

/* ----------------------------------------------------------------------------
 * hp_plan
 * ------------------------------------------------------------------------- */

struct hp_plan {
  char *name;
  size_t n;
  hp_scenario_result *res;
};

void hp_plan_free(hp_plan *p) {
  if (!p)
    return;
  for (size_t i = 0; i < p->n; i++)
    hp_planner_result_cleanup(&p->res[i]);
  hp_free(p->res);
  hp_free(p->name);
  hp_free(p);
}

/* Solves s under the other demand model into a new r->compare. */
static int solve_compare(const hp_scenario *s, const hp_catalog *cat,
                         hp_scenario_result *r, hp_diag *d) {
  hp_scenario_result *c = hp_calloc(1, sizeof *c);
  if (!c)
    return hp_diag_oom(d);
  hp_scenario alt = *s; /* shallow: solving only reads it */
  alt.demand_model = s->demand_model == HP_DEMAND_ROOFLINE ? HP_DEMAND_FLOPS
                                                           : HP_DEMAND_ROOFLINE;
  int rc;
  if (alt.demand_model == HP_DEMAND_ROOFLINE &&
      (!s->model.has_arch || s->n_classes == 0) && s->has_workload) {
    memset(c, 0, sizeof *c);
    c->name = hp_strdup(s->name);
    c->status = HP_RESULT_ERROR;
    c->granularity = hp_model_granularity_name(s->gran);
    c->objective = hp_model_objective_name(s->objective);
    c->demand_model = hp_model_demand_model_name(HP_DEMAND_ROOFLINE);
    c->explanation =
        hp_strdup(!s->model.has_arch
                      ? "the roofline model needs the model's architecture "
                        "(workload.model: layers, hidden_size, heads, ... or a "
                        "models/ file)"
                      : "the roofline model needs request classes "
                        "(workload.requests)");
    if (!c->name || !c->explanation) {
      hp_planner_result_cleanup(c);
      hp_free(c);
      return hp_diag_oom(d);
    }
    r->compare = c;
    return HP_OK;
  }
  if ((rc = hp_planner_solve(&alt, cat, c, d)) != HP_OK) {
    hp_free(c);
    return rc;
  }
  r->compare = c;
  return HP_OK;
}

int hp_plan_solve(const hp_planfile *pf, const hp_catalog *cat, hp_plan **out,
                  hp_diag *d) {
  return hp_plan_solve_ex(pf, cat, 0, out, d);
}

int hp_plan_solve_ex(const hp_planfile *pf, const hp_catalog *cat,
                     unsigned flags, hp_plan **out, hp_diag *d) {
  assert(pf && out);
  hp_solver_glpk_thread_arm();
  hp_plan *p = hp_calloc(1, sizeof *p);
  if (!p)
    return hp_diag_oom(d);
  size_t n = hp_planfile_count(pf);
  p->name = hp_strdup(hp_planfile_name(pf));
  p->res = hp_calloc(n ? n : 1, sizeof *p->res);
  if (!p->name || !p->res) {
    hp_plan_free(p);
    return hp_diag_oom(d);
  }
  for (size_t i = 0; i < n; i++) {
    const hp_scenario *sc = hp_planfile_scenario(pf, i);
    int rc = hp_planner_solve(sc, cat, &p->res[i], d);
    if (rc != HP_OK) {
      hp_plan_free(p);
      return rc;
    }
    p->n++;
    if ((flags & HP_SOLVE_COMPARE_MODELS) &&
        (rc = solve_compare(sc, cat, &p->res[i], d)) != HP_OK) {
      hp_plan_free(p);
      return rc;
    }
    finish_figures(&p->res[i]);
  }
  *out = p;
  return HP_OK;
}

const char *hp_plan_name(const hp_plan *p) {
  assert(p);
  return p->name;
}
size_t hp_plan_count(const hp_plan *p) {
  assert(p);
  return p->n;
}
const hp_scenario_result *hp_plan_at(const hp_plan *p, size_t i) {
  assert(p);
  return i < p->n ? &p->res[i] : NULL;
}

/* ----------------------------------------------------------------------------
 * The program as a file (plan --write-lp).
 * ------------------------------------------------------------------------- */

int hp_planner_write_lp(const hp_scenario *s, const char *path, hp_diag *d) {
  hp_ip ip;
  hp_unit *u = NULL;
  int rc = hp_planner_build(s, &ip, &u, d);
  if (rc != HP_OK)
    return rc;
  size_t n = ip.n_cols;
  char **names = hp_malloc((n ? n : 1) * sizeof *names);
  char *store = hp_malloc((n ? n : 1) * 160);
  if (!names || !store) {
    rc = hp_diag_oom(d);
    goto out;
  }
  /* Readable column names: the SKU, and under the roofline model its
   * request class; hp_ip_export_write_lp makes them LP-safe and unique. */
  for (size_t j = 0; j < n; j++) {
    names[j] = store + j * 160;
    const char *id = s->cands[u[j].cand].spec.id;
    if (s->n_services && u[j].kind == HP_COL_LOAD)
      snprintf(names[j], 160, "x.%s.%s.%s.%s", s->services[u[j].service].name,
               s->services[u[j].service].classes[u[j].cls].name,
               hp_model_phase_name((hp_phase)u[j].phase), id);
    else if (s->n_services && u[j].kind == HP_COL_PICK)
      snprintf(names[j], 160, "pick.%s", id);
    else if (s->n_services)
      snprintf(names[j], 160, "%s.%s", id,
               u[j].phase == 0   ? "colocated"
               : u[j].phase == 1 ? "prefill"
                                 : "decode");
    else if (hp_planner_is_roofline(s) && s->n_classes)
      snprintf(names[j], 160, "%s.%s", s->classes[u[j].cls].name, id);
    else
      snprintf(names[j], 160, "%s", id);
  }
  rc = hp_ip_export_write_lp(&ip, (const char *const *)names, path, d);
out:
  hp_free(names);
  hp_free(store);
  hp_free(u);
  hp_ip_cleanup(&ip);
  return rc;
}

int hp_planfile_write_lp(const hp_planfile *p, size_t i, const char *path,
                         hp_diag *d) {
  assert(p && path);
  if (i >= hp_planfile_count(p))
    return hp_diag_set(d, HP_EINVAL, NULL, 0, 0,
                       "scenario %zu: the plan has %zu", i,
                       hp_planfile_count(p));
  return hp_planner_write_lp(hp_planfile_scenario(p, i), path, d);
}

/* ----------------------------------------------------------------------------
 * Solve options: the lean, warm-started solve of sweeps (hp_solve_opts)
 * ------------------------------------------------------------------------- */

void hp_planner_solve_opts_default(hp_solve_opts *o) {
  memset(o, 0, sizeof *o);
  o->explain = 1;
}

void hp_planner_warm_cleanup(hp_solve_warm *w) {
  if (!w)
    return;
  hp_free(w->x);
  hp_ip_cleanup(&w->prev);
  memset(w, 0, sizeof *w);
}

/* The previous point's optimum starts the search when it is feasible here
 * (hp_solver_glpk_solve checks): the solver then only has to improve on it or
 * prove it optimal. Only a point beyond the previous point's constraint can
 * beat a proven optimum: the search is confined there (not with a mip_gap,
 * where hp_solver_glpk_solve ignores the cut). */
static void warm_arm(const hp_solve_warm *w, hp_ip *ip, hp_ip_cut *cut) {
  if (w->n != ip->n_cols)
    return;
  ip->hint = w->x;
  if (!(ip->mip_gap > 0) && w->proven &&
      hp_ip_presolve_exclusion_cut(&w->prev, ip, cut))
    ip->cut = cut;
}

/* Keeps this point's checked optimum and its program (moved out of ip,
 * which is left empty) for the next point. HP_OK or HP_ENOMEM. */
static int warm_keep(hp_solve_warm *w, hp_ip *ip, const hp_ip_solution *sol,
                     const hp_check *ck) {
  if (!w)
    return HP_OK;
  if (w->n != ip->n_cols || !w->x) {
    double *x = hp_realloc(w->x, (ip->n_cols ? ip->n_cols : 1) * sizeof *x);
    if (!x)
      return HP_ENOMEM;
    w->x = x;
    w->n = ip->n_cols;
  }
  memcpy(w->x, sol->x, ip->n_cols * sizeof *w->x);
  hp_ip_cleanup(&w->prev);
  w->prev = *ip;
  memset(ip, 0, sizeof *ip);
  w->valid = 1;
  w->proven = !sol->within_gap && !sol->node_limited && !ck->repaired;
  return HP_OK;
}

int hp_planner_engine(const hp_scenario *s, int lean) {
  if (s->engine_given)
    return s->engine;
  return lean ? HP_IP_GLPK : HP_IP_AUTO;
}

int hp_planner_solve(const hp_scenario *s, const hp_catalog *cat,
                     hp_scenario_result *r, hp_diag *d) {
  return hp_planner_solve_opts(s, cat, NULL, r, d);
}
