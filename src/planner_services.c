/* planner_services.c - the shared-capacity program of a scenario with
 * services (issue 21; docs/formulation.md "Services and shared capacity").
 *
 * Columns, in this order: integer servers per (SKU, pool) for each pool in
 * use (colocated, prefill, decode); continuous load fractions per (service,
 * class, phase, SKU) in [0, 1], fixed at 0 where the SKU cannot serve the
 * cell; a binary pick per SKU when min_servers_per_sku or max_skus is
 * given. Rows: each cell's fractions sum to 1; each pool's load fits its
 * servers; KV bytes/s leaving a prefill pool or entering a decode pool fit
 * its network; budget, power, caps, shares; picks. Layout: cells and
 * throughput, building, explaining, results.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "mem.h"
#include "numfmt.h"
#include "planner.h"
#include "roofline.h"
#include "scenario.h"
#include "solver_cbc.h"
#include "status.h"

/* ----------------------------------------------------------------------------
 * Cells and throughput
 * ------------------------------------------------------------------------- */

/* One load to place: a (service, class, phase). */
typedef struct cell {
  size_t service, cls;
  hp_phase phase;
  double tokens_s; /* tokens/s of the phase at peak (input + output for
                      both, input for prefill, output for decode) */
  double load_s;   /* tokens_s x (1 + headroom): what servers must carry */
  double req_s;    /* requests/s at peak x (1 + headroom) */
  double kv_bytes; /* KV bytes one request hands over (disaggregated) */
} cell;

#define N_ROLES 3
static const char *const role_names[N_ROLES] = {"colocated", "prefill",
                                                "decode"};

static size_t n_cells(const hp_scenario *s) {
  size_t n = 0;
  for (size_t i = 0; i < s->n_services; i++)
    n += s->services[i].n_classes *
         (s->services[i].serving == HP_SERVING_DISAGGREGATED ? 2 : 1);
  return n;
}

/* Fills c (n_cells(s) entries) in service, class, phase order. */
static void fill_cells(const hp_scenario *s, cell *c) {
  size_t n = 0;
  for (size_t i = 0; i < s->n_services; i++) {
    const hp_service *v = &s->services[i];
    int dis = v->serving == HP_SERVING_DISAGGREGATED;
    for (size_t k = 0; k < v->n_classes; k++) {
      const hp_request_class *q = &v->classes[k];
      double per_req = q->input_tokens + q->output_tokens;
      double rps = v->requests_per_s * v->peak_factor * q->share;
      for (int p = dis ? 1 : 0; p <= (dis ? 2 : 0); p++) {
        cell *e = &c[n++];
        memset(e, 0, sizeof *e);
        e->service = i;
        e->cls = k;
        e->phase = (hp_phase)p;
        if (per_req > 0) {
          double tok = p == 0   ? per_req
                       : p == 1 ? q->input_tokens
                                : q->output_tokens;
          e->tokens_s = rps * tok;
        } else { /* a service without classes: its tokens */
          e->tokens_s = v->tokens_per_day / v->seconds_per_day * v->peak_factor;
        }
        e->load_s = e->tokens_s * (1.0 + s->headroom);
        e->req_s = rps * (1.0 + s->headroom);
        if (p == HP_PHASE_PREFILL || p == HP_PHASE_DECODE)
          e->kv_bytes = v->model.has_arch
                            ? hp_roof_phase_kv_handoff_bytes(&v->model, q)
                            : 0;
      }
    }
  }
}

/* Tokens of the cell's phase per request. */
static double phase_tokens(const hp_request_class *q, hp_phase p) {
  return p == HP_PHASE_PREFILL  ? q->input_tokens
         : p == HP_PHASE_DECODE ? q->output_tokens
                                : q->input_tokens + q->output_tokens;
}

/* Throughput of one server of cand j for cell e, tokens/s of the phase;
 * 0 when it cannot serve it. *src: the measured row's source, or NULL. */
static double cell_tput(const hp_scenario *s, const cell *e, size_t j,
                        const char **src) {
  const hp_service *v = &s->services[e->service];
  const hp_request_class *q = &v->classes[e->cls];
  *src = NULL;
  for (size_t i = 0; i < s->n_tput; i++) {
    const hp_tput_row *r = &s->tput[i];
    if (r->service != e->service || r->cls != e->cls || r->cand != j ||
        r->phase != e->phase)
      continue;
    *src = r->source;
    return r->tokens_per_s > 0 ? r->tokens_per_s
                               : r->requests_per_s * phase_tokens(q, e->phase);
  }
  const hp_candidate *c = &s->cands[j];
  if (s->demand_model == HP_DEMAND_ROOFLINE && v->model.has_arch &&
      q->input_tokens + q->output_tokens > 0) {
    hp_roof_result rr;
    hp_roof_phase_eval(&v->model, c, q, &s->roof, e->phase, &rr);
    if (!rr.ok)
      return 0;
    if (e->phase == HP_PHASE_BOTH)
      return rr.tokens_per_s_server;
    return rr.requests_per_s_server * phase_tokens(q, e->phase);
  }
  /* The broker formula: the phase's tokens cost 2 x active params FLOPs. */
  const double *f = c->spec.fig;
  double a = v->model.active_params > 0 ? v->model.active_params : 1;
  return f[HP_FIG_cards_per_server] * f[HP_FIG_fp16_tflops] * 1e12 * c->mfu /
         (2.0 * a);
}

double hp_planner_services_cell(const hp_scenario *s, size_t service,
                                size_t cls, hp_phase ph, size_t cand,
                                double *load_tokens_s, const char **source) {
  cell e;
  memset(&e, 0, sizeof e);
  size_t nc = n_cells(s);
  cell *cells = hp_calloc(nc ? nc : 1, sizeof *cells);
  *source = NULL;
  *load_tokens_s = 0;
  if (!cells)
    return 0;
  fill_cells(s, cells);
  for (size_t i = 0; i < nc; i++)
    if (cells[i].service == service && cells[i].cls == cls &&
        cells[i].phase == ph)
      e = cells[i];
  hp_free(cells);
  *load_tokens_s = e.load_s;
  return cell_tput(s, &e, cand, source);
}

/* Which pools are in use: roles[r] = 1. */
static void roles_used(const hp_scenario *s, int roles[N_ROLES]) {
  roles[0] = roles[1] = roles[2] = 0;
  for (size_t i = 0; i < s->n_services; i++) {
    if (s->services[i].serving == HP_SERVING_DISAGGREGATED)
      roles[1] = roles[2] = 1;
    else
      roles[0] = 1;
  }
}

static int has_picks(const hp_scenario *s) {
  return s->min_servers_per_sku > 0 || s->max_skus > 0;
}

size_t hp_planner_services_columns(const hp_scenario *s) {
  int roles[N_ROLES];
  roles_used(s, roles);
  size_t nr = (size_t)(roles[0] + roles[1] + roles[2]);
  return s->n_cands * nr + n_cells(s) * s->n_cands +
         (has_picks(s) ? s->n_cands : 0);
}

static int excluded(const hp_scenario *s, const char *vendor) {
  for (size_t i = 0; i < s->n_exclude_vendors; i++)
    if (strcmp(s->exclude_vendors[i], vendor) == 0)
      return 1;
  return 0;
}

/* ----------------------------------------------------------------------------
 * Building
 * ------------------------------------------------------------------------- */

/* The server column of (cand j, role r), or n when that pool is not used. */
static size_t server_col(const hp_unit *u, size_t n, size_t j, int r) {
  for (size_t c = 0; c < n && u[c].kind == HP_COL_SERVERS; c++)
    if (u[c].cand == j && u[c].phase == r)
      return c;
  return n;
}

int hp_planner_services_build(const hp_scenario *s, hp_ip *ip,
                              hp_unit **units_out, hp_diag *d) {
  size_t n = hp_planner_columns(s), nc = n_cells(s), nj = s->n_cands;
  int roles[N_ROLES], rc = HP_OK;
  roles_used(s, roles);
  hp_unit *u = hp_calloc(n ? n : 1, sizeof *u);
  double *a = hp_calloc(n ? n : 1, sizeof *a);
  cell *cells = hp_calloc(nc ? nc : 1, sizeof *cells);
  double *need = hp_calloc(nj ? nj : 1, sizeof *need);
  if (!u || !a || !cells || !need || hp_ip_init(ip, n) != HP_OK) {
    hp_free(u);
    hp_free(a);
    hp_free(cells);
    hp_free(need);
    return hp_diag_oom(d);
  }
  fill_cells(s, cells);
  size_t col = 0;
  /* Server columns: per SKU, per pool in use. */
  for (size_t j = 0; j < nj; j++)
    for (int r = 0; r < N_ROLES; r++) {
      if (!roles[r])
        continue;
      const hp_candidate *c = &s->cands[j];
      hp_unit *x = &u[col];
      double cps = c->spec.fig[HP_FIG_cards_per_server];
      double per = s->gran == HP_GRAN_CARD ? 1.0 / cps : 1.0;
      x->kind = HP_COL_SERVERS;
      x->cand = j;
      x->phase = r;
      x->usable = 1;
      x->cards = cps * per;
      x->price_cny = c->spec.fig[HP_FIG_price_server_cny] * per;
      x->rent_cny_hour = c->spec.price_hour_cny * per;
      x->power_kw = c->spec.fig[HP_FIG_tdp_w] * x->cards * s->pue / 1000.0;
      x->opex_cny_year =
          x->power_kw * s->utilisation * 8760.0 * s->power_price_cny_per_kwh;
      ip->is_int[col] = s->gran != HP_GRAN_FRACTIONAL;
      if (excluded(s, c->spec.vendor) ||
          (s->objective == HP_OBJ_RENT && !(c->spec.price_hour_cny > 0)))
        ip->ub[col] = 0;
      switch (s->objective) {
      case HP_OBJ_TCO:
        ip->obj[col] = x->price_cny + s->years * x->opex_cny_year;
        break;
      case HP_OBJ_RENT:
        ip->obj[col] = x->rent_cny_hour;
        break;
      default:
        ip->obj[col] = x->price_cny;
        break;
      }
      col++;
    }
  /* Load columns: per cell, per SKU. */
  for (size_t e = 0; e < nc; e++)
    for (size_t j = 0; j < nj; j++) {
      hp_unit *x = &u[col];
      const char *src;
      double t = cell_tput(s, &cells[e], j, &src);
      x->kind = HP_COL_LOAD;
      x->cand = j;
      x->cls = cells[e].cls;
      x->service = cells[e].service;
      x->phase = (int)cells[e].phase;
      x->source = src;
      x->usable = t > 0 && isfinite(t);
      x->tokens_per_s = cells[e].tokens_s;
      x->servers_at_one = x->usable ? cells[e].load_s / t : 0;
      ip->ub[col] = x->usable && server_col(u, n, j, x->phase) < n &&
                            ip->ub[server_col(u, n, j, x->phase)] > 0
                        ? 1
                        : 0;
      col++;
    }
  /* Pick columns. */
  size_t pick0 = col;
  for (size_t j = 0; has_picks(s) && j < nj; j++) {
    u[col].kind = HP_COL_PICK;
    u[col].cand = j;
    ip->is_int[col] = 1;
    ip->ub[col] = 1;
    col++;
  }
  ip->maximize = 0;
  ip->mip_gap = s->mip_gap;
  ip->node_limit = (long)s->node_limit;

#define ADD_ROW(name, lo, hi)                                                  \
  do {                                                                         \
    if ((rc = hp_ip_add_row(ip, (name), a, (lo), (hi), NULL)) != HP_OK)        \
      goto fail;                                                               \
  } while (0)
#define CLEAR() memset(a, 0, n * sizeof *a)

  char name[64];
  /* Each cell is served whole. */
  for (size_t e = 0; e < nc; e++) {
    const hp_service *v = &s->services[cells[e].service];
    CLEAR();
    for (size_t c = 0; c < n; c++)
      if (u[c].kind == HP_COL_LOAD && c - (pick0 - nc * nj) >= e * nj &&
          c - (pick0 - nc * nj) < (e + 1) * nj)
        a[c] = 1;
    if (cells[e].phase == HP_PHASE_BOTH)
      snprintf(name, sizeof name, "serve.%.25s.%.25s", v->name,
               v->classes[cells[e].cls].name);
    else
      snprintf(name, sizeof name, "serve.%.22s.%.22s.%s", v->name,
               v->classes[cells[e].cls].name,
               hp_model_phase_name(cells[e].phase));
    ADD_ROW(name, 1.0, 1.0);
  }
  /* Each pool carries its load; each disaggregated pool its KV traffic. */
  for (size_t y = 0; y < n && u[y].kind == HP_COL_SERVERS; y++) {
    size_t j = u[y].cand;
    int r = u[y].phase;
    double per = u[y].cards / s->cands[j].spec.fig[HP_FIG_cards_per_server];
    double sum = 0;
    CLEAR();
    for (size_t c = 0; c < n; c++)
      if (u[c].kind == HP_COL_LOAD && u[c].cand == j && u[c].phase == r) {
        a[c] = u[c].servers_at_one;
        sum += a[c];
      }
    a[y] = -per;
    need[j] += ceil(sum);
    snprintf(name, sizeof name, "capacity.%.40s.%s", s->cands[j].spec.id,
             role_names[r]);
    ADD_ROW(name, -HUGE_VAL, 0.0);
    if (r == 0)
      continue;
    /* GB/s, so that the row's figures stay near 1. */
    double net = hp_roof_phase_network_bytes_s(&s->cands[j]) / 1e9, kv = 0;
    CLEAR();
    for (size_t c = 0, e = 0; c < n; c++) {
      if (u[c].kind != HP_COL_LOAD)
        continue;
      e = (c - (pick0 - nc * nj)) / nj;
      if (u[c].cand == j && u[c].phase == r && cells[e].kv_bytes > 0) {
        a[c] = cells[e].req_s * cells[e].kv_bytes / 1e9;
        kv += a[c];
      }
    }
    if (!(kv > 0))
      continue;
    a[y] = -per * net;
    need[j] += ceil(kv / net) - ceil(sum) > 0 ? ceil(kv / net) - ceil(sum) : 0;
    snprintf(name, sizeof name, "network.%.40s.%s", s->cands[j].spec.id,
             role_names[r]);
    ADD_ROW(name, -HUGE_VAL, 0.0);
  }
  if (s->budget_cny > 0) {
    for (size_t c = 0; c < n; c++)
      a[c] = u[c].price_cny;
    ADD_ROW("budget_cny", -HUGE_VAL, s->budget_cny);
  }
  if (s->power_mw > 0) {
    for (size_t c = 0; c < n; c++)
      a[c] = u[c].power_kw / 1000.0;
    ADD_ROW("power_mw", -HUGE_VAL, s->power_mw);
  }
  for (size_t k = 0; k < s->n_caps; k++) {
    const hp_cap *cap = &s->caps[k];
    int any = 0;
    for (size_t c = 0; c < n; c++) {
      const hp_candidate *cj = &s->cands[u[c].cand];
      const char *key = cap->is_vendor ? cj->spec.vendor : cj->spec.id;
      a[c] = strcmp(key, cap->key) == 0 ? u[c].cards : 0;
      any |= a[c] != 0;
    }
    if (!any)
      continue;
    snprintf(name, sizeof name, "caps.%s%.50s", cap->is_vendor ? "vendor." : "",
             cap->key);
    ADD_ROW(name, -HUGE_VAL, cap->cards);
  }
  /* Shares: on the compute basis, of the served tokens (each cell's tokens
   * x its fraction on the SKU); on cards and capex, of the servers. */
  /* Served-load rows are divided by the whole load's tokens/s: shares of
   * 1, not coefficients of 1e8 tokens/s beside servers (GLPK's simplex
   * failed, glp_intopt 5, on three services of 1.4e8 tokens/s). */
  double served = 0;
  for (size_t e = 0; e < nc; e++)
    served += cells[e].tokens_s;
  if (!(served > 0))
    served = 1;
  for (int side = 0; side < 2; side++) {
    if (!(side ? s->has_dom_max : s->has_dom_min))
      continue;
    double share = side ? s->dom_max : s->dom_min;
    for (size_t c = 0; c < n; c++) {
      double w = 0;
      if (s->dom_basis == HP_BASIS_COMPUTE)
        w = u[c].kind == HP_COL_LOAD ? u[c].tokens_per_s / served : 0;
      else
        w = s->dom_basis == HP_BASIS_CARDS ? u[c].cards : u[c].price_cny;
      a[c] = ((s->cands[u[c].cand].spec.domestic ? 1.0 : 0.0) - share) * w;
    }
    if (side == 0)
      ADD_ROW("domestic_share.min", 0.0, HUGE_VAL);
    else
      ADD_ROW("domestic_share.max", -HUGE_VAL, 0.0);
  }
  if (s->max_vendor_share > 0) {
    for (size_t j = 0; j < nj; j++) {
      const char *v = s->cands[j].spec.vendor;
      int seen = 0;
      for (size_t k = 0; k < j; k++)
        seen |= strcmp(s->cands[k].spec.vendor, v) == 0;
      if (seen)
        continue;
      for (size_t c = 0; c < n; c++)
        a[c] = u[c].kind != HP_COL_LOAD
                   ? 0
                   : ((strcmp(s->cands[u[c].cand].spec.vendor, v) == 0) -
                      s->max_vendor_share) *
                         u[c].tokens_per_s / served;
      ADD_ROW("max_vendor_share", -HUGE_VAL, 0.0);
    }
  }
  /* Orders: servers of an SKU (all pools) >= N pick and <= M pick, where M
   * is what serving every load on that SKU alone takes, plus N. */
  for (size_t j = 0; has_picks(s) && j < nj; j++) {
    double m =
        need[j] + (s->min_servers_per_sku > 0 ? s->min_servers_per_sku : 1);
    for (int side = 0; side < 2; side++) {
      CLEAR();
      for (size_t c = 0; c < n; c++)
        if (u[c].kind == HP_COL_SERVERS && u[c].cand == j)
          a[c] = u[c].cards / s->cands[j].spec.fig[HP_FIG_cards_per_server];
      if (side == 0) {
        if (!(s->min_servers_per_sku > 0))
          continue;
        a[pick0 + j] = -s->min_servers_per_sku;
        snprintf(name, sizeof name, "min_order.%.50s", s->cands[j].spec.id);
        ADD_ROW(name, 0.0, HUGE_VAL);
      } else {
        a[pick0 + j] = -m;
        snprintf(name, sizeof name, "pick.%.50s", s->cands[j].spec.id);
        ADD_ROW(name, -HUGE_VAL, 0.0);
      }
    }
  }
  if (s->max_skus > 0) {
    CLEAR();
    for (size_t j = 0; j < nj; j++)
      a[pick0 + j] = 1;
    ADD_ROW("max_skus", -HUGE_VAL, s->max_skus);
  }
#undef ADD_ROW
#undef CLEAR
  hp_free(a);
  hp_free(cells);
  hp_free(need);
  *units_out = u;
  return HP_OK;
fail:
  hp_free(a);
  hp_free(u);
  hp_free(cells);
  hp_free(need);
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

/* 1 feasible, 0 not (or not settled in 20,000 nodes), negative error. */
static int feasible(const hp_ip *ip, hp_diag *d) {
  hp_ip_solution sol;
  hp_ip t;
  if (hp_ip_copy(&t, ip) != HP_OK)
    return hp_diag_oom(d);
  memset(t.obj, 0, t.n_cols * sizeof *t.obj);
  t.node_limit = 20000;
  int rc = hp_solver_glpk_solve(&t, &sol, d);
  hp_ip_cleanup(&t);
  if (rc != HP_OK)
    return rc;
  int f = sol.status == HP_SOL_OPTIMAL;
  hp_ip_solution_cleanup(&sol);
  return f;
}

static const struct group {
  const char *prefix, *what;
} groups[] = {
    {"network", NULL}, /* described with its figures by group_what */
    {"min_order", NULL},
    {"max_skus", NULL},
    {"caps", "the supply caps (constraints.caps)"},
    {"power_mw", "constraints.power_mw"},
    {"budget_cny", "constraints.budget_cny"},
    {"domestic_share.min", "constraints.domestic_share.min"},
    {"domestic_share.max", "constraints.domestic_share.max"},
    {"max_vendor_share", "constraints.max_vendor_share"},
};
#define N_GROUPS (sizeof groups / sizeof groups[0])

/* Cells no SKU can serve, named with each SKU's reason. */
static int unplaceable(const hp_scenario *s, const hp_ip *ip, const hp_unit *u,
                       hp_buf *b) {
  size_t n = ip->n_cols, nc = n_cells(s), nj = s->n_cands;
  cell *cells = hp_calloc(nc ? nc : 1, sizeof *cells);
  if (!cells)
    return HP_ENOMEM;
  fill_cells(s, cells);
  size_t first = 0;
  while (first < n && u[first].kind != HP_COL_LOAD)
    first++;
  for (size_t e = 0; e < nc; e++) {
    int any = 0;
    for (size_t j = 0; j < nj; j++)
      any |= ip->ub[first + e * nj + j] > 0;
    if (any)
      continue;
    const hp_service *v = &s->services[cells[e].service];
    hp_buf_printf(b, "%sservice '%s', class '%s'%s%s can be placed nowhere:",
                  b->len ? "; " : "", v->name, v->classes[cells[e].cls].name,
                  cells[e].phase ? ", phase " : "",
                  cells[e].phase ? hp_model_phase_name(cells[e].phase) : "");
    for (size_t j = 0; j < nj; j++) {
      const hp_unit *x = &u[first + e * nj + j];
      const hp_candidate *c = &s->cands[j];
      const char *why = "cannot serve it";
      hp_roof_result rr;
      if (x->usable) {
        why = excluded(s, c->spec.vendor) ? "vendor excluded"
                                          : "no price_hour_cny (objective "
                                            "rent)";
      } else if (s->demand_model == HP_DEMAND_ROOFLINE && v->model.has_arch) {
        hp_roof_phase_eval(&v->model, c, &v->classes[cells[e].cls], &s->roof,
                           cells[e].phase, &rr);
        why = rr.ok ? "no throughput" : rr.why;
      }
      hp_buf_printf(b, "%s %s: %s", j ? ";" : "", c->spec.id, why);
    }
  }
  hp_free(cells);
  return b->oom ? HP_ENOMEM : HP_OK;
}

/* A group's words, with its figures where it has some. */
static void group_what(const hp_scenario *s, size_t g, hp_buf *b) {
  char n1[48], n2[48];
  if (groups[g].what) {
    hp_buf_puts(b, groups[g].what);
    return;
  }
  if (strcmp(groups[g].prefix, "min_order") == 0) {
    hp_buf_printf(b,
                  "constraints.min_servers_per_sku: %g (an SKU in fewer "
                  "servers is no order)",
                  s->min_servers_per_sku);
    return;
  }
  if (strcmp(groups[g].prefix, "max_skus") == 0) {
    hp_buf_printf(b, "constraints.max_skus: %g", s->max_skus);
    return;
  }
  /* The network: the KV bytes/s crossing from prefill to decode at peak,
   * against one server's network. */
  size_t nc = n_cells(s);
  cell *cells = hp_calloc(nc ? nc : 1, sizeof *cells);
  double kv = 0, net = 0;
  if (cells) {
    fill_cells(s, cells);
    for (size_t e = 0; e < nc; e++)
      if (cells[e].phase == HP_PHASE_PREFILL)
        kv += cells[e].req_s * cells[e].kv_bytes;
    hp_free(cells);
  }
  for (size_t j = 0; j < s->n_cands; j++)
    if (hp_roof_phase_network_bytes_s(&s->cands[j]) > net)
      net = hp_roof_phase_network_bytes_s(&s->cands[j]);
  hp_buf_printf(b,
                "the network between prefill and decode pools (the KV cache "
                "crosses at %s GB/s at peak; a server's network carries at "
                "most %s GB/s, so each pool needs at least %.0f servers' "
                "network)",
                hp_fmt_grouped(kv / 1e9, 2, n1, sizeof n1),
                hp_fmt_grouped(net / 1e9, 2, n2, sizeof n2),
                net > 0 ? ceil(kv / net) : 0.0);
}

static int explain(const hp_scenario *s, const hp_ip *ip, const hp_unit *u,
                   hp_buf *b, hp_diag *d) {
  int rc = unplaceable(s, ip, u, b);
  if (rc != HP_OK)
    return hp_diag_oom(d);
  if (b->len)
    return HP_OK;
  int blocking = 0;
  for (size_t g = 0; g < N_GROUPS; g++) {
    if (!has_group(ip, groups[g].prefix))
      continue;
    hp_ip t;
    if (hp_ip_copy(&t, ip) != HP_OK)
      return hp_diag_oom(d);
    drop_group(&t, groups[g].prefix);
    if (strcmp(groups[g].prefix, "min_order") == 0)
      drop_group(&t, "pick");
    int f = feasible(&t, d);
    hp_ip_cleanup(&t);
    if (f < 0)
      return f;
    if (!f)
      continue;
    hp_buf_puts(b, blocking++ ? "; "
                              : "blocking (dropped alone, each lets "
                                "the services fit): ");
    group_what(s, g, b);
  }
  if (!blocking) {
    hp_buf_puts(b, "no single constraint is to blame; together ");
    int first = 1;
    for (size_t g = 0; g < N_GROUPS; g++)
      if (has_group(ip, groups[g].prefix)) {
        hp_buf_puts(b, first ? "" : ", ");
        group_what(s, g, b);
        first = 0;
      }
    if (first)
      hp_buf_puts(b, "the devices' capacity");
    hp_buf_puts(b, " leave no room for the services' load");
  }
  return b->oom ? hp_diag_oom(d) : HP_OK;
}

/* ----------------------------------------------------------------------------
 * Results
 * ------------------------------------------------------------------------- */

static int fill_services(const hp_scenario *s, const hp_catalog *cat,
                         const hp_ip *ip, const hp_unit *u, const double *x,
                         hp_scenario_result *r) {
  size_t n = ip->n_cols, nj = s->n_cands, nc = n_cells(s);
  hp_plan_line *agg = hp_calloc(nj ? nj : 1, sizeof *agg);
  double *opex = hp_calloc(nj ? nj : 1, sizeof *opex);
  cell *cells = hp_calloc(nc ? nc : 1, sizeof *cells);
  r->lines = hp_calloc(nj ? nj : 1, sizeof *r->lines);
  r->vendors = hp_calloc(nj ? nj : 1, sizeof *r->vendors);
  r->pools = hp_calloc(n ? n : 1, sizeof *r->pools);
  r->splits = hp_calloc(n ? n : 1, sizeof *r->splits);
  int rc = HP_ENOMEM;
  if (!agg || !opex || !cells || !r->lines || !r->vendors || !r->pools ||
      !r->splits)
    goto out;
  fill_cells(s, cells);
  r->n_services = s->n_services;
  size_t first = 0;
  while (first < n && u[first].kind != HP_COL_LOAD)
    first++;
  for (size_t c = 0; c < n; c++) {
    double v = x[c];
    if (u[c].kind != HP_COL_SERVERS)
      continue;
    if (s->gran != HP_GRAN_FRACTIONAL)
      v = floor(v + 0.5);
    if (!(v > 0))
      continue;
    size_t j = u[c].cand;
    const hp_candidate *cd = &s->cands[j];
    const hp_device_spec *cs = hp_catalog_find(cat, cd->spec.id);
    double cps = cd->spec.fig[HP_FIG_cards_per_server];
    hp_plan_line *l = &agg[j];
    l->servers = 1;
    l->cards += v * u[c].cards;
    l->capex_cny += v * u[c].price_cny;
    l->power_kw += v * u[c].power_kw;
    opex[j] += v * u[c].opex_cny_year;
    hp_plan_pool *p = &r->pools[r->n_pools++];
    p->device = cs ? cs->id : cd->spec.id;
    p->role = role_names[u[c].phase];
    p->cards = v * u[c].cards;
    p->servers = p->cards / cps;
    p->capex_cny = v * u[c].price_cny;
    p->rent_cny_per_hour = v * u[c].rent_cny_hour;
    r->rent_cny_per_hour += p->rent_cny_per_hour;
    double used = 0, kv = 0;
    for (size_t k = first; k < n; k++) {
      if (u[k].kind != HP_COL_LOAD || u[k].cand != j ||
          u[k].phase != u[c].phase || !(x[k] > 0))
        continue;
      const cell *e = &cells[(k - first) / nj];
      used += x[k] * u[k].servers_at_one;
      kv += x[k] * e->req_s * e->kv_bytes;
    }
    p->busy = p->servers > 0 ? used / p->servers : 0;
    if (u[c].phase != 0) {
      p->kv_bytes_s = kv;
      p->network_bytes_s = p->servers * hp_roof_phase_network_bytes_s(cd);
      p->network_use =
          p->network_bytes_s > 0 ? p->kv_bytes_s / p->network_bytes_s : 0;
    }
  }
  for (size_t k = first; k < n; k++) {
    if (u[k].kind != HP_COL_LOAD || !(x[k] > 1e-9))
      continue;
    const cell *e = &cells[(k - first) / nj];
    const hp_service *sv = &s->services[e->service];
    const hp_candidate *cd = &s->cands[u[k].cand];
    const hp_device_spec *cs = hp_catalog_find(cat, cd->spec.id);
    hp_plan_split *sp = &r->splits[r->n_splits];
    if (!(sp->service = hp_strdup(sv->name)) ||
        !(sp->request_class = hp_strdup(sv->classes[e->cls].name)) ||
        (u[k].source && !(sp->source = hp_strdup(u[k].source)))) {
      r->n_splits++;
      goto out;
    }
    r->n_splits++;
    sp->phase = hp_model_phase_name(e->phase);
    sp->device = cs ? cs->id : cd->spec.id;
    sp->fraction = x[k] > 1 ? 1 : x[k];
    sp->servers = x[k] * u[k].servers_at_one;
    sp->tokens_per_s = x[k] * e->tokens_s;
    sp->tokens_per_s_per_server =
        u[k].servers_at_one > 0 ? e->load_s / u[k].servers_at_one : 0;
    sp->measured = u[k].source != NULL;
    agg[u[k].cand].tokens_per_s += sp->tokens_per_s;
  }
  for (size_t j = 0; j < nj; j++) {
    if (agg[j].servers == 0)
      continue;
    const hp_candidate *cd = &s->cands[j];
    const hp_device_spec *cs = hp_catalog_find(cat, cd->spec.id);
    hp_plan_line *l = &r->lines[r->n_lines++];
    *l = agg[j];
    l->device = cs ? cs->id : cd->spec.id;
    l->vendor = cs ? cs->vendor : cd->spec.vendor;
    l->domestic = cd->spec.domestic;
    l->servers = l->cards / cd->spec.fig[HP_FIG_cards_per_server];
    l->tokens_per_s_per_server =
        l->servers > 0 ? l->tokens_per_s / l->servers : 0;
    l->measured = cd->measured;
    r->opex_cny_per_year += opex[j];
  }
  hp_planner_roll_up(s, r, 1);
  rc = hp_scenario_market_warnings(s, r);
out:
  hp_free(agg);
  hp_free(opex);
  hp_free(cells);
  return rc;
}

/* objective rent: a candidate without an hourly price is no candidate. */
static int rent_warnings(const hp_scenario *s, hp_scenario_result *r) {
  if (s->objective != HP_OBJ_RENT)
    return HP_OK;
  for (size_t j = 0; j < s->n_cands; j++) {
    if (s->cands[j].spec.price_hour_cny > 0)
      continue;
    char **w = hp_realloc(r->warnings, (r->n_warnings + 1) * sizeof *w);
    if (!w)
      return HP_ENOMEM;
    r->warnings = w;
    hp_buf b;
    hp_buf_init(&b);
    hp_buf_printf(&b,
                  "%s has no price_hour_cny: not a candidate under objective "
                  "rent",
                  s->cands[j].spec.id);
    if (hp_buf_detach(&b, &r->warnings[r->n_warnings], NULL) != HP_OK)
      return HP_ENOMEM;
    r->n_warnings++;
  }
  return HP_OK;
}

/* Continuous servers beside binary picks: GLPK meets a pick to its
 * integrality tolerance (1e-5) and rows to its feasibility tolerance, so
 * an SKU whose pick rounds to 0 may keep servers of 1e-15 (or up to 1e-5
 * of a pick's bound) with load on them, and one whose pick rounds to 1 may
 * fall short of its minimum order by 1e-5 of it. Counted as bought, such
 * crumbs broke the pick and max_skus rows, and the check's repair then
 * bought an idle minimum order. Here an SKU is not bought when its pick
 * rounds to 0, or (no picks) when its servers sum below 1e-9: its servers
 * and loads go to 0 (the cell rows are scaled back to 1 by the caller, so
 * its load moves to the other SKUs in proportion). A picked SKU within
 * 1e-5 of its minimum order is raised to it. Whole servers need none of
 * this: they are rounded. */
static void snap_unbought(const hp_ip *ip, const hp_unit *u, double *x) {
  size_t n = ip->n_cols;
  for (size_t p = 0; p < n; p++) {
    int pick = u[p].kind == HP_COL_PICK;
    if (!pick && !(u[p].kind == HP_COL_SERVERS && !ip->is_int[p]))
      continue;
    size_t j = u[p].cand;
    int first = 1, has_pick = 0;
    double servers = 0;
    for (size_t c = 0; c < n; c++) {
      if (u[c].cand != j)
        continue;
      if (u[c].kind == HP_COL_SERVERS) {
        first &= c >= p;
        servers += x[c];
      }
      has_pick |= u[c].kind == HP_COL_PICK;
    }
    /* Each SKU once: at its pick, or at its first server column. */
    if (pick ? 0 : (has_pick || !first))
      continue;
    if (pick && x[p] > 0) {
      /* The minimum order's row: servers >= N x pick. */
      for (size_t i = 0; i < ip->n_rows; i++) {
        const hp_ip_row *r = &ip->rows[i];
        double need = -r->a[p], have = 0;
        if (strncmp(r->name, "min_order.", 10) != 0 || !(need > 0))
          continue;
        for (size_t c = 0; c < n; c++)
          if (c != p)
            have += r->a[c] * x[c];
        if (have > 0 && have < need && have >= need * (1 - 1e-5))
          for (size_t c = 0; c < n; c++)
            if (c != p && r->a[c] != 0)
              x[c] *= need / have;
      }
      continue;
    }
    if (!pick && !(servers < 1e-9))
      continue;
    for (size_t c = 0; c < n; c++)
      if (u[c].cand == j &&
          (u[c].kind == HP_COL_SERVERS || u[c].kind == HP_COL_LOAD))
        x[c] = 0;
  }
}

/* The solver's point, made ready for hp_planner_check: whole columns
 * rounded, each cell's fractions below 1e-12 dropped and the rest scaled
 * to sum to 1. The check then runs on a copy of ip whose rows over load
 * fractions hold to 1e-9 of their terms: a fraction is a share of a load,
 * and GLPK meets such rows to 1e-7 relative, so a miss of 1e-9 of a
 * server is rounding, not a reason to buy a server more. */
int hp_planner_services_check(const hp_ip *ip, const hp_unit *u, double *x,
                              hp_check *ck) {
  size_t n = ip->n_cols;
  for (size_t c = 0; c < n; c++)
    if (ip->is_int[c])
      x[c] = floor(x[c] + 0.5);
  snap_unbought(ip, u, x);
  for (size_t i = 0; i < ip->n_rows; i++) {
    const hp_ip_row *r = &ip->rows[i];
    if (strncmp(r->name, "serve.", 6) != 0)
      continue;
    double sum = 0;
    for (size_t c = 0; c < n; c++)
      if (r->a[c] != 0) {
        if (x[c] < 1e-12)
          x[c] = 0;
        sum += x[c];
      }
    for (size_t c = 0; sum > 0 && c < n; c++)
      if (r->a[c] != 0)
        x[c] /= sum;
  }
  hp_ip t;
  if (hp_ip_copy(&t, ip) != HP_OK)
    return HP_ENOMEM;
  for (size_t i = 0; i < t.n_rows; i++) {
    hp_ip_row *r = &t.rows[i];
    double terms = 0;
    int load = 0;
    for (size_t c = 0; c < n; c++) {
      terms += fabs(r->a[c] * x[c]);
      load |= r->a[c] != 0 && u[c].kind == HP_COL_LOAD;
    }
    if (!load)
      continue;
    if (isfinite(r->lo))
      r->lo -= 1e-9 * (1 + terms);
    if (isfinite(r->hi))
      r->hi += 1e-9 * (1 + terms);
  }
  hp_planner_check(&t, x, ck);
  hp_ip_cleanup(&t);
  return HP_OK;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int hp_planner_services_solve(const hp_scenario *s, const hp_catalog *cat,
                              int lean, hp_scenario_result *r, hp_diag *d) {
  hp_ip ip;
  hp_unit *u = NULL;
  hp_ip_solution sol;
  hp_buf b;
  memset(&sol, 0, sizeof sol);
  hp_buf_init(&b);
  int rc = hp_planner_services_build(s, &ip, &u, d);
  if (rc != HP_OK) {
    hp_planner_result_cleanup(r);
    return rc;
  }
  r->n_services = s->n_services;
  r->demand_flops = 0;
  for (size_t i = 0; i < s->n_services; i++) {
    const hp_service *v = &s->services[i];
    r->demand_flops += v->tokens_per_day / v->seconds_per_day * v->peak_factor *
                       2.0 * v->model.active_params;
  }
  double t0 = now_ms();
  rc = unplaceable(s, &ip, u, &b);
  if (rc != HP_OK) {
    rc = hp_diag_oom(d);
    goto fail;
  }
  if (b.len) {
    r->status = HP_RESULT_INFEASIBLE;
    goto done;
  }
  rc = hp_solver_solve_with(&ip, (hp_ip_engine)hp_planner_engine(s, lean),
                            &sol, d);
  r->solve_ms = now_ms() - t0;
  if (rc != HP_OK && rc != HP_ESOLVER)
    goto fail;
  if (rc == HP_OK && sol.status == HP_SOL_ERROR && sol.node_limited) {
    r->status = HP_RESULT_ERROR;
    hp_buf_printf(&b,
                  "no plan found within solver.node_limit (%.0f nodes): "
                  "raise it",
                  s->node_limit);
  } else if (rc == HP_ESOLVER || sol.status == HP_SOL_ERROR) {
    r->status = HP_RESULT_ERROR;
    hp_buf_printf(&b, "solver error: %s",
                  sol.error[0] ? sol.error : (d ? d->msg : "unknown"));
  } else if (sol.status == HP_SOL_UNBOUNDED) {
    r->status = HP_RESULT_ERROR;
    hp_buf_puts(&b, "the objective is unbounded");
  } else if (sol.status == HP_SOL_INFEASIBLE) {
    r->status = HP_RESULT_INFEASIBLE;
    if ((rc = explain(s, &ip, u, &b, d)) != HP_OK)
      goto fail;
  } else {
    hp_check ck;
    if (hp_planner_services_check(&ip, u, sol.x, &ck) != HP_OK) {
      rc = hp_diag_oom(d);
      goto fail;
    }
    if (ck.failed) {
      r->status = HP_RESULT_ERROR;
      hp_buf_puts(&b, ck.why);
      goto done;
    }
    r->status = HP_RESULT_OPTIMAL;
    r->within_gap = sol.within_gap;
    r->node_limited = sol.node_limited;
    r->repaired = ck.repaired;
    r->gap = hp_planner_gap(&sol, &ck, s->mip_gap);
    if (fill_services(s, cat, &ip, u, sol.x, r) != HP_OK ||
        rent_warnings(s, r) != HP_OK) {
      rc = hp_diag_oom(d);
      goto fail;
    }
  }
  rc = HP_OK;
done:
  if (r->status != HP_RESULT_OPTIMAL &&
      hp_buf_detach(&b, &r->explanation, NULL) != HP_OK) {
    rc = hp_diag_oom(d);
    goto fail;
  }
  hp_buf_cleanup(&b);
  hp_ip_solution_cleanup(&sol);
  hp_ip_cleanup(&ip);
  hp_free(u);
  return HP_OK;
fail:
  hp_buf_cleanup(&b);
  hp_ip_solution_cleanup(&sol);
  hp_ip_cleanup(&ip);
  hp_free(u);
  hp_planner_result_cleanup(r);
  return rc;
}
