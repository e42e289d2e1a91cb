/* periods.c - buying over time (issue 22): the composed multi-period
 * program, its solve, the myopic (period-by-period) plan beside it, and
 * the explanation of an infeasible one (which period, which constraint).
 *
 * It reads bound periods (scenario.h) and builds each period's program
 * with hp_planner_build; it never writes text other than explanations.
 * Layout: building, solving helpers, explaining, results.
 */
#define _POSIX_C_SOURCE 200809L
#include "periods.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "mem.h"
#include "planner.h"
#include "solver.h"
#include "solver_cbc.h"
#include "status.h"

/* ----------------------------------------------------------------------------
 * Building
 * ------------------------------------------------------------------------- */

size_t hp_periods_ncol(const hp_periods_map *m, size_t p, size_t k) {
  return m->n_base + p * m->n_skus + k;
}

size_t hp_periods_bcol(const hp_periods_map *m, size_t p, size_t k) {
  return m->n_base + (m->n_periods + p) * m->n_skus + k;
}

void hp_periods_map_cleanup(hp_periods_map *m) {
  if (!m)
    return;
  for (size_t p = 0; m->units && p < m->n_periods; p++)
    hp_free(m->units[p]);
  hp_free(m->units);
  hp_free(m->off);
  hp_free(m->ncols);
  hp_free(m->row_period);
  hp_free(m->row_structural);
  memset(m, 0, sizeof *m);
}

/* The unit of SKU k's server columns in period p: its first server column
 * (cards > 0; every server column of one SKU has the same price, cards
 * and power, whatever the class or pool). Load and pick columns (cards 0,
 * under services) are skipped. Every candidate has a server column. */
static const hp_unit *sku_unit(const hp_periods_map *m, const hp_periods *P,
                               size_t p, size_t k) {
  (void)P;
  for (size_t j = 0; j < m->ncols[p]; j++)
    if (m->units[p][j].cand == k && m->units[p][j].cards > 0)
      return &m->units[p][j];
  assert(!"a candidate without a server column");
  return &m->units[p][0];
}

/* Units per server of SKU k in period p (cards with granularity: card). */
static double units_per_server(const hp_periods *P, size_t p, size_t k) {
  const hp_scenario *s = &P->p[p].s;
  return s->gran == HP_GRAN_CARD ? s->cands[k].spec.fig[HP_FIG_cards_per_server]
                                 : 1.0;
}

/* 1 when a server aged `age` at the plan's start (negative: bought that
 * many years after it) still serves at time t: it retires at the start of
 * the first period that begins at or after its end of life. The 1e-9 keeps
 * a lifetime that ends exactly at a period's start from serving in it. */
static int alive(double age_at_0, double t, double life) {
  return age_at_0 + t < life - 1e-9;
}

static double discount(const hp_periods *P, double t) {
  return pow(1.0 + P->discount_rate, -t);
}

/* The period program's only server column of SKU k in period p (global
 * index), or (size_t)-1 when it has several (one per request class under
 * the roofline model) or none. */
static size_t single_col(const hp_periods_map *m, size_t p, size_t k) {
  size_t at = (size_t)-1, n = 0;
  for (size_t j = 0; j < m->ncols[p]; j++)
    if (m->units[p][j].cand == k && m->units[p][j].cards > 0) {
      at = m->off[p] + j;
      n++;
    }
  return n == 1 ? at : (size_t)-1;
}

static int is_moved_row(const char *name) {
  return strcmp(name, "budget_cny") == 0 || strncmp(name, "caps.", 5) == 0;
}

int hp_periods_build(const hp_periods *P, int form, hp_ip *ip,
                     hp_periods_map *m, hp_diag *d) {
  memset(m, 0, sizeof *m);
  size_t np = P->n, K = P->n_skus;
  int rc = HP_OK;
  hp_ip *pi = hp_calloc(np, sizeof *pi);
  m->n_periods = np;
  m->n_skus = K;
  m->off = hp_calloc(np, sizeof *m->off);
  m->ncols = hp_calloc(np, sizeof *m->ncols);
  m->units = hp_calloc(np, sizeof *m->units);
  double *a = NULL;
  size_t built = 0;
  if (!pi || !m->off || !m->ncols || !m->units) {
    rc = hp_diag_oom(d);
    goto out;
  }
  for (; built < np; built++) {
    if ((rc = hp_planner_build(&P->p[built].s, &pi[built], &m->units[built],
                               d)) != HP_OK)
      goto out;
    m->off[built] = m->n_base;
    m->ncols[built] = pi[built].n_cols;
    m->n_base += pi[built].n_cols;
  }
  size_t N = m->n_base + 2 * np * K;
  if ((rc = hp_ip_init(ip, N)) != HP_OK) {
    rc = hp_diag_oom(d);
    goto out;
  }
  m->row_period = hp_calloc(HP_IP_MAX_ROWS, sizeof *m->row_period);
  m->row_structural = hp_calloc(HP_IP_MAX_ROWS, sizeof *m->row_structural);
  a = hp_calloc(N, sizeof *a);
  if (!a || !m->row_period || !m->row_structural) {
    rc = hp_diag_oom(d);
    goto fail_ip;
  }
  ip->maximize = 0;
  ip->mip_gap = P->p[0].s.mip_gap;
  ip->node_limit = (long)P->p[0].s.node_limit;
  /* Columns. The period programs' columns keep their bounds and kind and
   * cost nothing: their servers are paid through n and b. */
  for (size_t p = 0; p < np; p++) {
    for (size_t j = 0; j < pi[p].n_cols; j++) {
      size_t c = m->off[p] + j;
      ip->lb[c] = pi[p].lb[j];
      ip->ub[c] = pi[p].ub[j];
      ip->is_int[c] = pi[p].is_int[j];
      ip->obj[c] = 0;
    }
    double disc = P->npv ? discount(P, P->p[p].start_years) : 1.0;
    int frac = P->p[p].s.gran == HP_GRAN_FRACTIONAL;
    for (size_t k = 0; k < K; k++) {
      const hp_unit *u = sku_unit(m, P, p, k);
      size_t nc = hp_periods_ncol(m, p, k), bc = hp_periods_bcol(m, p, k);
      size_t one =
          (form & HP_PER_FORM_SEPARATE) ? (size_t)-1 : single_col(m, p, k);
      ip->is_int[nc] = !frac && (form & 3) != HP_PER_FORM_PURCHASE;
      ip->is_int[bc] = !frac && (form & 3) != HP_PER_FORM_INSERVICE;
      ip->obj[nc] = P->npv ? u->opex_cny_year * P->p[p].years * disc : 0;
      ip->obj[bc] = u->price_cny * disc;
      if (one != (size_t)-1) {
        /* The period's one server column of k is n[p][k] itself: n is
         * fixed at 0 and needs no link row. */
        ip->obj[one] = ip->obj[nc];
        ip->obj[nc] = 0;
        ip->lb[nc] = ip->ub[nc] = 0;
      }
      if (!P->p[p].buyable[k])
        ip->ub[bc] = 0;
    }
  }
#define ADD_ROW(name, lo, hi, per, structural)                                 \
  do {                                                                         \
    size_t idx_;                                                               \
    if ((rc = hp_ip_add_row(ip, (name), a, (lo), (hi), &idx_)) != HP_OK)       \
      goto fail_ip;                                                            \
    m->row_period[idx_] = (int)(per);                                          \
    m->row_structural[idx_] = (structural);                                    \
  } while (0)
  char name[64];
  for (size_t p = 0; p < np; p++) {
    const hp_period *pd = &P->p[p];
    /* The period's own rows, but budget and caps: those limit what is
     * bought (and delivered) in the period, so they move onto b. */
    for (size_t r = 0; r < pi[p].n_rows; r++) {
      const hp_ip_row *row = &pi[p].rows[r];
      if (is_moved_row(row->name))
        continue;
      memset(a, 0, N * sizeof *a);
      memcpy(a + m->off[p], row->a, pi[p].n_cols * sizeof *a);
      snprintf(name, sizeof name, "%.20s.%.42s", pd->name, row->name);
      ADD_ROW(name, row->lo, row->hi, p, 0);
    }
    for (size_t k = 0; k < K; k++) {
      size_t one =
          (form & HP_PER_FORM_SEPARATE) ? (size_t)-1 : single_col(m, p, k);
      size_t ncol = one != (size_t)-1 ? one : hp_periods_ncol(m, p, k);
      if (one == (size_t)-1) {
        /* link: the period's server columns of k <= n[p][k] */
        memset(a, 0, N * sizeof *a);
        for (size_t j = 0; j < pi[p].n_cols; j++)
          if (m->units[p][j].cand == k && m->units[p][j].cards > 0)
            a[m->off[p] + j] = 1;
        a[ncol] = -1;
        snprintf(name, sizeof name, "%.20s.link.%.36s", pd->name, P->skus[k]);
        ADD_ROW(name, -HUGE_VAL, 0, p, 1);
      }
      /* supply: n[p][k] - purchases still alive <= fleet still alive */
      memset(a, 0, N * sizeof *a);
      a[ncol] = 1;
      for (size_t q = 0; q <= p; q++)
        if (alive(-P->p[q].start_years, pd->start_years, P->lifetime_years[k]))
          a[hp_periods_bcol(m, q, k)] = -1;
      double owned = 0;
      for (size_t f = 0; f < P->n_fleet; f++)
        if (P->fleet[f].sku == k &&
            alive(P->fleet[f].age_years, pd->start_years, P->lifetime_years[k]))
          owned += P->fleet[f].servers;
      snprintf(name, sizeof name, "%.20s.supply.%.34s", pd->name, P->skus[k]);
      ADD_ROW(name, -HUGE_VAL, owned * units_per_server(P, p, k), p, 1);
    }
    /* budget_cny: the period's purchases */
    if (pd->s.budget_cny > 0) {
      memset(a, 0, N * sizeof *a);
      for (size_t k = 0; k < K; k++)
        a[hp_periods_bcol(m, p, k)] = sku_unit(m, P, p, k)->price_cny;
      snprintf(name, sizeof name, "%.20s.budget_cny", pd->name);
      ADD_ROW(name, -HUGE_VAL, pd->s.budget_cny, p, 0);
    }
    /* caps: what can be delivered in the period, in cards */
    for (size_t c = 0; c < pd->s.n_caps; c++) {
      const hp_cap *cap = &pd->s.caps[c];
      int any = 0;
      memset(a, 0, N * sizeof *a);
      for (size_t k = 0; k < K; k++) {
        const hp_candidate *ck = &pd->s.cands[k];
        const char *key = cap->is_vendor ? ck->spec.vendor : ck->spec.id;
        if (strcmp(key, cap->key) == 0) {
          a[hp_periods_bcol(m, p, k)] = sku_unit(m, P, p, k)->cards;
          any = 1;
        }
      }
      if (!any)
        continue;
      snprintf(name, sizeof name, "%.20s.caps.%s%.30s", pd->name,
               cap->is_vendor ? "vendor." : "", cap->key);
      ADD_ROW(name, -HUGE_VAL, cap->cards, p, 0);
    }
  }
#undef ADD_ROW
  goto out;
fail_ip:
  hp_ip_cleanup(ip);
  if (rc == HP_ELIMIT)
    rc =
        hp_diag_set(d, HP_ELIMIT, P->p[0].s.file, P->p[0].s.line, P->p[0].s.col,
                    "scenario '%s': %zu periods x %zu SKUs need more than "
                    "%d constraints",
                    P->p[0].s.name, np, K, HP_IP_MAX_ROWS);
  else
    rc = hp_diag_oom(d);
out:
  for (size_t p = 0; pi && p < built; p++)
    hp_ip_cleanup(&pi[p]);
  hp_free(pi);
  hp_free(a);
  if (rc != HP_OK)
    hp_periods_map_cleanup(m);
  return rc;
}

/* ----------------------------------------------------------------------------
 * Solving helpers
 * ------------------------------------------------------------------------- */

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Keeps only periods <= last: later rows are opened, later columns fixed
 * at 0. */
static void truncate_after(hp_ip *ip, const hp_periods_map *m, size_t last) {
  for (size_t r = 0; r < ip->n_rows; r++)
    if ((size_t)m->row_period[r] > last) {
      ip->rows[r].lo = -HUGE_VAL;
      ip->rows[r].hi = HUGE_VAL;
    }
  for (size_t p = last + 1; p < m->n_periods; p++) {
    for (size_t j = 0; j < m->ncols[p]; j++)
      ip->lb[m->off[p] + j] = ip->ub[m->off[p] + j] = 0;
    for (size_t k = 0; k < m->n_skus; k++) {
      size_t c[2] = {hp_periods_ncol(m, p, k), hp_periods_bcol(m, p, k)};
      for (int i = 0; i < 2; i++)
        ip->lb[c[i]] = ip->ub[c[i]] = 0;
    }
  }
}

/* Solves ip with the plan's engine (solver.engine); *feasible 1 when a
 * point was found (sol filled). GLPK, on some composed programs of 5
 * periods over the whole catalog, fails (glp_intopt 5) or even reports
 * "infeasible" where CBC and PuLP find the optimum (bench/periods_bench
 * forms, instance 6 of seed 22): so when GLPK ends in error or
 * infeasible, CBC (when built) solves the program again and its answer
 * stands. */
static int solve(const hp_ip *ip, int engine, hp_ip_solution *sol,
                 int *feasible, hp_diag *d) {
  memset(sol, 0, sizeof *sol);
  int rc = hp_solver_solve_with(ip, (hp_ip_engine)engine, sol, d);
  if (rc != HP_OK && rc != HP_ESOLVER)
    return rc;
  if (engine != HP_IP_CBC && hp_solver_cbc_available() &&
      (rc == HP_ESOLVER || sol->status == HP_SOL_ERROR ||
       sol->status == HP_SOL_INFEASIBLE)) {
    hp_ip_solution_cleanup(sol);
    memset(sol, 0, sizeof *sol);
    rc = hp_solver_cbc_solve(ip, sol, d);
    if (rc != HP_OK && rc != HP_ESOLVER)
      return rc;
  }
  if (rc == HP_ESOLVER || sol->status == HP_SOL_ERROR)
    return hp_diag_set(d, HP_ESOLVER, NULL, 0, 0, "solver failed: %s",
                       sol->error);
  *feasible = sol->status == HP_SOL_OPTIMAL;
  return HP_OK;
}

static int feasible_ip(const hp_ip *ip, int engine, int *ok, hp_diag *d) {
  hp_ip_solution sol;
  int rc = solve(ip, engine, &sol, ok, d);
  hp_ip_solution_cleanup(&sol);
  return rc;
}

/* ----------------------------------------------------------------------------
 * Explaining
 * ------------------------------------------------------------------------- */

/* The group of a period row name (after "PERIOD."): demand.<class> is one
 * group, "demand"; every other row is its own. */
static void row_group(const char *row, const char *period, char *out,
                      size_t size) {
  size_t pl = strlen(period);
  const char *g =
      strncmp(row, period, pl) == 0 && row[pl] == '.' ? row + pl + 1 : row;
  if (strncmp(g, "demand.", 7) == 0 || strncmp(g, "mix.", 4) == 0)
    snprintf(out, size, "%.*s", (int)strcspn(g, "."), g);
  else
    snprintf(out, size, "%s", g);
}

/* Fills *b with why ip (periods up to the first failing one kept) has no
 * point: the first period that cannot be planned, and the constraints of
 * that period without which it can. */
static int explain(const hp_periods *P, const hp_ip *ip,
                   const hp_periods_map *m, hp_buf *b, hp_diag *d) {
  hp_ip t;
  int rc, ok = 1;
  size_t p = 0;
  for (; p < P->n; p++) {
    if (hp_ip_copy(&t, ip) != HP_OK)
      return hp_diag_oom(d);
    truncate_after(&t, m, p);
    rc = feasible_ip(&t, P->engine, &ok, d);
    hp_ip_cleanup(&t);
    if (rc != HP_OK)
      return rc;
    if (!ok)
      break;
  }
  if (p == P->n) {
    hp_buf_printf(b, "no plan over all periods together");
    return HP_OK;
  }
  const char *pn = P->p[p].name;
  hp_buf_printf(b, "period '%s' cannot be planned", pn);
  if (p > 0)
    hp_buf_printf(b, " (the periods before it can)");
  char seen[HP_IP_MAX_ROWS][64];
  size_t n_seen = 0, n_fix = 0;
  for (size_t r = 0; r < ip->n_rows; r++) {
    if ((size_t)m->row_period[r] != p || m->row_structural[r])
      continue;
    char g[64];
    row_group(ip->rows[r].name, pn, g, sizeof g);
    int dup = 0;
    for (size_t i = 0; i < n_seen; i++)
      dup |= strcmp(seen[i], g) == 0;
    if (dup)
      continue;
    snprintf(seen[n_seen++], sizeof seen[0], "%s", g);
    if (hp_ip_copy(&t, ip) != HP_OK)
      return hp_diag_oom(d);
    truncate_after(&t, m, p);
    for (size_t q = 0; q < t.n_rows; q++) {
      char h[64];
      if ((size_t)m->row_period[q] != p)
        continue;
      row_group(t.rows[q].name, pn, h, sizeof h);
      if (strcmp(h, g) == 0) {
        t.rows[q].lo = -HUGE_VAL;
        t.rows[q].hi = HUGE_VAL;
      }
    }
    rc = feasible_ip(&t, P->engine, &ok, d);
    hp_ip_cleanup(&t);
    if (rc != HP_OK)
      return rc;
    if (ok)
      hp_buf_printf(b, "%s%s", n_fix++ ? ", " : ": it can without ", g);
  }
  if (n_fix == 0)
    hp_buf_printf(b, ": no single constraint of the period explains it (the "
                     "devices on sale, the fleet still in service and the "
                     "purchases allowed cannot serve its demand together)");
  else
    hp_buf_printf(b, " (each alone)");
  return HP_OK;
}

/* ----------------------------------------------------------------------------
 * Results
 * ------------------------------------------------------------------------- */

void hp_periods_result_cleanup(hp_periods_result *r) {
  if (!r)
    return;
  for (size_t p = 0; r->periods && p < r->n_periods; p++)
    hp_free(r->periods[p].sku);
  hp_free(r->periods);
  hp_free(r->vendors);
  hp_free(r->domestic);
  hp_free(r->explanation);
  hp_free(r->myopic_explanation);
  memset(r, 0, sizeof *r);
}

static double objective_at(const hp_ip *ip, const double *x) {
  double v = 0;
  for (size_t j = 0; j < ip->n_cols; j++)
    v += ip->obj[j] * x[j];
  return v;
}

/* The schedule and per-period figures from a point x. */
static void fill(const hp_periods *P, const hp_periods_map *m, const double *x,
                 hp_periods_result *r) {
  r->capex_cny = r->opex_cny = r->npv_cny = 0;
  for (size_t p = 0; p < P->n; p++) {
    const hp_period *pd = &P->p[p];
    hp_period_out *o = &r->periods[p];
    o->name = pd->name;
    o->start_years = pd->start_years;
    o->years = pd->years;
    o->demand_tokens_per_s =
        pd->s.has_workload
            ? hp_planner_demand_tokens_per_s(&pd->s) * (1.0 + pd->s.headroom)
            : 0;
    o->budget_cny = pd->s.budget_cny;
    o->discount = discount(P, pd->start_years);
    double cap = 0, dom = 0, cards = 0, dcards = 0, kw = 0;
    o->capex_cny = o->opex_cny = o->bought_servers = 0;
    for (size_t k = 0; k < P->n_skus; k++) {
      hp_period_sku *s = &o->sku[k];
      const hp_unit *u = sku_unit(m, P, p, k);
      double ups = units_per_server(P, p, k);
      double used = 0, tok = 0;
      /* Servers from the server columns (cards > 0); tokens/s from every
       * column of the SKU: its server columns, or, under services, its
       * load columns (a fraction x the cell's tokens/s; planner.h). */
      for (size_t j = 0; j < m->ncols[p]; j++)
        if (m->units[p][j].cand == k) {
          if (m->units[p][j].cards > 0)
            used += x[m->off[p] + j];
          tok += x[m->off[p] + j] * m->units[p][j].tokens_per_s;
        }
      s->bought = x[hp_periods_bcol(m, p, k)] / ups;
      s->in_service = used / ups;
      s->tokens_per_s = tok;
      double owned = 0, before = 0;
      for (size_t f = 0; f < P->n_fleet; f++)
        if (P->fleet[f].sku == k) {
          double age = P->fleet[f].age_years;
          if (alive(age, pd->start_years, P->lifetime_years[k]))
            owned += P->fleet[f].servers;
          if (p == 0
                  ? 1
                  : alive(age, P->p[p - 1].start_years, P->lifetime_years[k]))
            before += P->fleet[f].servers;
        }
      for (size_t q = 0; q <= p; q++) {
        double bq = x[hp_periods_bcol(m, q, k)] / ups;
        double age = -P->p[q].start_years;
        if (alive(age, pd->start_years, P->lifetime_years[k]))
          owned += bq;
        if (q < p && alive(age, P->p[p - 1].start_years, P->lifetime_years[k]))
          before += bq;
      }
      s->owned = owned;
      s->retired = before - (owned - s->bought) > 1e-9
                       ? before - (owned - s->bought)
                       : 0;
      s->capex_cny = x[hp_periods_bcol(m, p, k)] * u->price_cny;
      s->opex_cny = used * u->opex_cny_year * pd->years;
      o->capex_cny += s->capex_cny;
      o->bought_servers += s->bought;
      o->opex_cny += s->opex_cny;
      cap += tok;
      if (pd->s.cands[k].spec.domestic) {
        dom += tok;
        dcards += used * u->cards;
      }
      cards += used * u->cards;
      kw += used * u->power_kw;
    }
    o->capacity_tokens_per_s = cap;
    o->domestic_share_compute = cap > 0 ? dom / cap : 0;
    o->domestic_share_cards = cards > 0 ? dcards / cards : 0;
    o->power_mw = kw / 1000.0;
    o->pv_cny = (o->capex_cny + o->opex_cny) * o->discount;
    r->capex_cny += o->capex_cny;
    r->opex_cny += o->opex_cny;
    r->npv_cny += o->pv_cny;
  }
}

/* 1 when every purchase column of x is whole (or the periods are
 * fractional). */
static int purchases_whole(const hp_periods *P, const hp_periods_map *m,
                           const double *x) {
  for (size_t p = 0; p < P->n; p++)
    for (size_t k = 0; k < P->n_skus; k++) {
      double v = x[hp_periods_bcol(m, p, k)];
      if (P->p[p].s.gran != HP_GRAN_FRACTIONAL && fabs(v - round(v)) > 1e-6)
        return 0;
    }
  return 1;
}

/* Myopic: period by period, each buying for itself alone at the least
 * cost of its own columns, the earlier periods fixed. */
static int myopic(const hp_periods *P, const hp_ip *ip, const hp_periods_map *m,
                  hp_periods_result *r, hp_diag *d) {
  double *x = hp_calloc(ip->n_cols, sizeof *x);
  hp_ip t;
  int rc = HP_OK;
  if (!x)
    return hp_diag_oom(d);
  r->has_myopic = 1;
  r->myopic_status = HP_RESULT_OPTIMAL;
  for (size_t p = 0; p < P->n; p++) {
    if (hp_ip_copy(&t, ip) != HP_OK) {
      rc = hp_diag_oom(d);
      goto out;
    }
    truncate_after(&t, m, p);
    for (size_t q = 0; q < p; q++) {
      size_t cols[2] = {m->off[q], m->off[q] + m->ncols[q]};
      for (size_t j = cols[0]; j < cols[1]; j++)
        t.lb[j] = t.ub[j] = x[j];
      for (size_t k = 0; k < m->n_skus; k++) {
        size_t c[2] = {hp_periods_ncol(m, q, k), hp_periods_bcol(m, q, k)};
        for (int i = 0; i < 2; i++)
          t.lb[c[i]] = t.ub[c[i]] = x[c[i]];
      }
    }
    hp_ip_solution sol;
    int ok = 0;
    rc = solve(&t, P->engine, &sol, &ok, d);
    if (rc == HP_OK && ok)
      memcpy(x, sol.x, ip->n_cols * sizeof *x);
    hp_ip_solution_cleanup(&sol);
    hp_ip_cleanup(&t);
    if (rc != HP_OK)
      goto out;
    if (!ok) {
      hp_buf b;
      hp_buf_init(&b);
      hp_buf_printf(&b,
                    "period '%s' cannot be planned: what the earlier "
                    "periods bought for themselves leaves it short",
                    P->p[p].name);
      r->myopic_status = HP_RESULT_INFEASIBLE;
      if (hp_buf_detach(&b, &r->myopic_explanation, NULL) != HP_OK)
        rc = hp_diag_oom(d);
      goto out;
    }
  }
  r->myopic_objective_cny = objective_at(ip, x);
  r->ahead_gain_cny = r->myopic_objective_cny - r->objective_cny;
  r->ahead_gain_pct =
      r->objective_cny > 0 ? 100 * r->ahead_gain_cny / r->objective_cny : 0;
out:
  hp_free(x);
  return rc;
}

int hp_periods_solve(const hp_periods *P, const char *name,
                     const hp_periods_opts *o, hp_periods_result *r,
                     hp_diag *d) {
  assert(P && r);
  memset(r, 0, sizeof *r);
  hp_periods_opts def = {HP_PER_FORM_BOTH, 1};
  if (!o)
    o = &def;
  r->name = name;
  r->npv = P->npv;
  r->discount_rate = P->discount_rate;
  r->n_skus = P->n_skus;
  r->skus = P->skus;
  r->n_periods = P->n;
  hp_ip ip;
  hp_periods_map m;
  hp_ip_solution sol;
  memset(&sol, 0, sizeof sol);
  int rc = hp_periods_build(P, o->form, &ip, &m, d);
  if (rc != HP_OK)
    return rc;
  r->n_cols = ip.n_cols;
  r->n_rows = ip.n_rows;
  r->periods = hp_calloc(P->n, sizeof *r->periods);
  r->vendors = hp_calloc(P->n_skus ? P->n_skus : 1, sizeof *r->vendors);
  r->domestic = hp_calloc(P->n_skus ? P->n_skus : 1, sizeof *r->domestic);
  if (!r->periods || !r->vendors || !r->domestic) {
    rc = hp_diag_oom(d);
    goto fail;
  }
  for (size_t p = 0; p < P->n; p++)
    if (!(r->periods[p].sku = hp_calloc(P->n_skus ? P->n_skus : 1,
                                        sizeof *r->periods[p].sku))) {
      rc = hp_diag_oom(d);
      goto fail;
    }
  for (size_t k = 0; k < P->n_skus; k++) {
    r->vendors[k] = P->p[0].s.cands[k].spec.vendor;
    r->domestic[k] = P->p[0].s.cands[k].spec.domestic;
  }
  int ok = 0;
  double t0 = now_ms();
  if ((rc = solve(&ip, P->engine, &sol, &ok, d)) != HP_OK)
    goto fail;
  if (ok && !purchases_whole(P, &m, sol.x)) {
    /* Budget rows on purchases can leave b fractional at an optimum of
     * integer n: solve again with b integer too. */
    for (size_t p = 0; p < P->n; p++)
      for (size_t k = 0; k < P->n_skus; k++)
        ip.is_int[hp_periods_bcol(&m, p, k)] = 1;
    hp_ip_solution_cleanup(&sol);
    if ((rc = solve(&ip, P->engine, &sol, &ok, d)) != HP_OK)
      goto fail;
  }
  r->solve_ms = now_ms() - t0;
  r->nodes = sol.nodes;
  if (!ok) {
    hp_buf b;
    hp_buf_init(&b);
    r->status = HP_RESULT_INFEASIBLE;
    if ((rc = explain(P, &ip, &m, &b, d)) != HP_OK) {
      hp_buf_cleanup(&b);
      goto fail;
    }
    if (hp_buf_detach(&b, &r->explanation, NULL) != HP_OK) {
      rc = hp_diag_oom(d);
      goto fail;
    }
    goto done;
  }
  for (size_t j = 0; j < ip.n_cols; j++)
    if (ip.is_int[j])
      sol.x[j] = round(sol.x[j]);
  r->status = HP_RESULT_OPTIMAL;
  r->proven = !sol.node_limited && !sol.within_gap;
  r->objective_cny = objective_at(&ip, sol.x);
  fill(P, &m, sol.x, r);
  if (o->myopic && (rc = myopic(P, &ip, &m, r, d)) != HP_OK)
    goto fail;
done:
  hp_ip_solution_cleanup(&sol);
  hp_ip_cleanup(&ip);
  hp_periods_map_cleanup(&m);
  return HP_OK;
fail:
  hp_ip_solution_cleanup(&sol);
  hp_ip_cleanup(&ip);
  hp_periods_map_cleanup(&m);
  hp_periods_result_cleanup(r);
  return rc;
}
