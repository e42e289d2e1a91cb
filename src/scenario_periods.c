/* scenario_periods.c - the loader of `periods:`, `fleet:`, `lifetime_years`
 * and `discount_rate` (issue 22): a scenario bound once per period.
 *
 * A period is the scenario with the period's keys deep-merged in (as a
 * scenario entry merges into `defaults:`), bound by hp_scenario_bind twice:
 * once with the period's own `devices` (what can be bought then), once with
 * the devices widened to every SKU any period may buy or the fleet holds,
 * which is the period's program (periods.c composes those). It solves
 * nothing. Every error names file:line:col.
 */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "mem.h"
#include "scenario.h"
#include "solver_cbc.h"
#include "status.h"

/* Keys a period may hold: its name and length, and the scenario keys that
 * may change from one period to the next. */
static const char *const period_keys[] = {"name",
                                          "years",
                                          "start",
                                          "end",
                                          "workload",
                                          "services",
                                          "constraints",
                                          "budget_cny",
                                          "overrides",
                                          "devices",
                                          "power_price_cny_per_kwh",
                                          NULL};
static const char *const cohort_keys[] = {"servers", "age_years", NULL};

int hp_scenario_periods_present(const hp_ynode *m) {
  return m && m->kind == HP_Y_MAP && hp_yaml_map_get(m, "periods") != NULL;
}

void hp_scenario_periods_free(hp_periods *p) {
  if (!p)
    return;
  for (size_t i = 0; i < p->n; i++) {
    hp_free(p->p[i].name);
    hp_scenario_cleanup(&p->p[i].s);
    hp_free(p->p[i].buyable);
  }
  hp_free(p->p);
  hp_free(p->skus);
  hp_free(p->fleet);
  hp_free(p->lifetime_years);
  hp_free(p);
}

/* Days since 1970-01-01 of "YYYY-MM-DD", or -1e18 when not a date. */
static double date_days(const char *s) {
  static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int y, m, dd;
  char tail;
  if (!s || strlen(s) != 10 ||
      sscanf(s, "%4d-%2d-%2d%c", &y, &m, &dd, &tail) != 3 || m < 1 || m > 12 ||
      dd < 1)
    return -1e18;
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (dd > mdays[m - 1] + (m == 2 && leap))
    return -1e18;
  /* Days from civil (H. Hinnant's algorithm). */
  y -= m <= 2;
  long era = (y >= 0 ? y : y - 399) / 400;
  long yoe = y - era * 400;
  long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + dd - 1;
  long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (double)(era * 146097 + doe - 719468);
}

static int get_date(const hp_ynode *n, const char *key, const char *file,
                    double *days, hp_diag *d) {
  const char *s;
  int rc = hp_yaml_get_string(n, key, file, &s, d);
  if (rc != HP_OK)
    return rc;
  *days = date_days(s);
  if (*days < -1e17)
    return hp_diag_set(d, HP_ETYPE, file, n->line, n->col,
                       "%s: expected a date YYYY-MM-DD, got '%.40s'", key, s);
  return HP_OK;
}

/* The `fleet:` mapping: SKU id -> {servers, age_years}, or a list of such
 * cohorts. Fills ids (catalog strings) and cohorts; sku holds the catalog
 * index until the SKU list is known. */
static int read_fleet(const hp_ynode *f, const char *file,
                      const hp_catalog *cat, hp_fleet_cohort **out,
                      size_t *n_out, hp_diag *d) {
  if (hp_yaml_is_null(f))
    return HP_OK;
  if (f->kind != HP_Y_MAP)
    return hp_diag_set(d, HP_ETYPE, file, f->line, f->col,
                       "fleet: expected a mapping of device id to {servers, "
                       "age_years}, got %s",
                       hp_yaml_kind_name(f->kind));
  size_t cap = 0, n = 0;
  for (size_t i = 0; i < f->n; i++)
    cap += f->items[i]->kind == HP_Y_SEQ ? f->items[i]->n : 1;
  hp_fleet_cohort *c = hp_calloc(cap ? cap : 1, sizeof *c);
  if (!c)
    return hp_diag_oom(d);
  int rc = HP_OK;
  for (size_t i = 0; i < f->n; i++) {
    const char *id = f->keys[i];
    size_t at = 0, nc = hp_catalog_count(cat);
    while (at < nc && strcmp(hp_catalog_at(cat, at)->id, id) != 0)
      at++;
    if (at == nc) {
      rc =
          hp_diag_set(d, HP_EKEY, file, f->key_line[i], f->key_col[i],
                      "fleet: unknown device '%.60s' (not in the catalog)", id);
      goto fail;
    }
    const hp_ynode *v = f->items[i];
    size_t nv = v->kind == HP_Y_SEQ ? v->n : 1;
    for (size_t k = 0; k < nv; k++) {
      const hp_ynode *e = v->kind == HP_Y_SEQ ? v->items[k] : v;
      char where[96];
      snprintf(where, sizeof where, "fleet.%.60s", id);
      if (e->kind != HP_Y_MAP) {
        rc = hp_diag_set(d, HP_ETYPE, file, e->line, e->col,
                         "%s: expected {servers: N, age_years: A}, got %s",
                         where, hp_yaml_kind_name(e->kind));
        goto fail;
      }
      if ((rc = hp_yaml_check_keys(e, cohort_keys, where, file, d)) != HP_OK)
        goto fail;
      const hp_ynode *sv = hp_yaml_map_get(e, "servers");
      const hp_ynode *ag = hp_yaml_map_get(e, "age_years");
      if (!sv) {
        rc = hp_diag_set(d, HP_EMISSING, file, e->line, e->col,
                         "%s: required key 'servers' is missing", where);
        goto fail;
      }
      c[n].sku = at;
      c[n].line = e->line;
      c[n].col = e->col;
      if ((rc = hp_yaml_get_number_in(sv, "servers", file, HP_NUM_NONNEG,
                                      &c[n].servers, d)) != HP_OK ||
          (ag &&
           (rc = hp_yaml_get_number_in(ag, "age_years", file, HP_NUM_NONNEG,
                                       &c[n].age_years, d)) != HP_OK))
        goto fail;
      if (c[n].servers != floor(c[n].servers)) {
        rc = hp_diag_set(d, HP_ERANGE, file, sv->line, sv->col,
                         "servers: expected a whole number of servers, got %g",
                         c[n].servers);
        goto fail;
      }
      n++;
    }
  }
  *out = c;
  *n_out = n;
  return HP_OK;
fail:
  hp_free(c);
  return rc;
}

/* The overlay of period entry e: its scenario keys, with budget_cny moved
 * into constraints. NULL on OOM. */
static hp_ynode *period_overlay(const hp_ynode *e) {
  hp_ynode *o = hp_yaml_node_clone(e);
  if (!o)
    return NULL;
  static const char *const own[] = {"name", "years", "start", "end"};
  for (size_t i = 0; i < sizeof own / sizeof own[0]; i++)
    hp_yaml_map_remove(o, own[i]);
  long b = hp_yaml_map_index(o, "budget_cny");
  if (b >= 0) {
    hp_ynode *bud = hp_yaml_node_clone(o->items[b]);
    hp_ynode *cons = hp_yaml_node_new(HP_Y_MAP, NULL, bud ? bud->line : 0,
                                      bud ? bud->col : 0);
    if (!bud || !cons ||
        hp_yaml_map_set(cons, "budget_cny", bud, o->key_line[b],
                        o->key_col[b]) != HP_OK) {
      hp_yaml_node_free(bud);
      hp_yaml_node_free(cons);
      hp_yaml_node_free(o);
      return NULL;
    }
    hp_ynode *wrap = hp_yaml_node_new(HP_Y_MAP, NULL, o->line, o->col);
    if (!wrap || hp_yaml_map_set(wrap, "constraints", cons, cons->line,
                                 cons->col) != HP_OK) {
      hp_yaml_node_free(wrap);
      hp_yaml_node_free(cons);
      hp_yaml_node_free(o);
      return NULL;
    }
    hp_yaml_map_remove(o, "budget_cny");
    if (hp_scenario_merge(o, wrap) != HP_OK) {
      hp_yaml_node_free(wrap);
      hp_yaml_node_free(o);
      return NULL;
    }
    hp_yaml_node_free(wrap);
  }
  return o;
}

/* Per-SKU lifetime_years under overrides: read into life (catalog index ->
 * years, 0 = not given) and removed from m, which the single-period binder
 * would refuse. */
static int take_override_lifetimes(hp_ynode *m, const char *file,
                                   const hp_catalog *cat, double *life,
                                   hp_diag *d) {
  hp_ynode *ov = (hp_ynode *)hp_yaml_map_get(m, "overrides");
  if (!ov || ov->kind != HP_Y_MAP)
    return HP_OK;
  for (size_t i = 0; i < ov->n; i++) {
    hp_ynode *e = ov->items[i];
    const hp_ynode *l =
        e->kind == HP_Y_MAP ? hp_yaml_map_get(e, "lifetime_years") : NULL;
    if (!l)
      continue;
    double v;
    int rc = hp_yaml_get_number_in(l, "lifetime_years", file, HP_NUM_POSITIVE,
                                   &v, d);
    if (rc != HP_OK)
      return rc;
    for (size_t k = 0; k < hp_catalog_count(cat); k++)
      if (strcmp(hp_catalog_at(cat, k)->id, ov->keys[i]) == 0)
        life[k] = v;
    hp_yaml_map_remove(e, "lifetime_years");
  }
  return HP_OK;
}

/* Replaces m's devices with the SKU list ids (a sequence). */
static int set_devices(hp_ynode *m, const char *const *ids, size_t n) {
  const hp_ynode *old = hp_yaml_map_get(m, "devices");
  long at = hp_yaml_map_index(m, "devices");
  int line = old ? old->line : m->line, col = old ? old->col : m->col;
  hp_ynode *seq = hp_yaml_node_new(HP_Y_SEQ, NULL, line, col);
  if (!seq)
    return HP_ENOMEM;
  for (size_t i = 0; i < n; i++) {
    hp_ynode *v = hp_yaml_node_new(HP_Y_SCALAR, ids[i], line, col);
    if (!v || hp_yaml_seq_push(seq, v) != HP_OK) {
      hp_yaml_node_free(v);
      hp_yaml_node_free(seq);
      return HP_ENOMEM;
    }
  }
  if (hp_yaml_map_set(m, "devices", seq, at >= 0 ? m->key_line[at] : line,
                      at >= 0 ? m->key_col[at] : col) != HP_OK) {
    hp_yaml_node_free(seq);
    return HP_ENOMEM;
  }
  return HP_OK;
}

int hp_scenario_periods_bind(const hp_ynode *m, const char *file,
                             const hp_catalog *cat, hp_scenario *base,
                             hp_periods **out, hp_diag *d) {
  int rc = HP_OK;
  size_t nc = hp_catalog_count(cat);
  const hp_ynode *pe = hp_yaml_map_get(m, "periods");
  hp_periods *P = hp_calloc(1, sizeof *P);
  hp_ynode *strip = hp_yaml_node_clone(m);
  hp_ynode **trees = NULL;
  hp_scenario sb;
  memset(&sb, 0, sizeof sb);
  double *life_cat = hp_calloc(nc ? nc : 1, sizeof *life_cat);
  int *in_union = hp_calloc(nc ? nc : 1, sizeof *in_union);
  int **buy_cat = NULL;
  if (!P || !strip || !life_cat || !in_union) {
    rc = hp_diag_oom(d);
    goto fail;
  }
  if (pe->kind != HP_Y_SEQ || pe->n == 0) {
    rc = hp_diag_set(d, HP_ETYPE, file, pe->line, pe->col,
                     "periods: expected a non-empty sequence of periods, "
                     "each with a name and years (or start)");
    goto fail;
  }
  if (pe->n > HP_MAX_PERIODS) {
    rc = hp_diag_set(d, HP_ELIMIT, file, pe->line, pe->col,
                     "periods: %zu periods, more than the limit of %d "
                     "(HP_MAX_PERIODS)",
                     pe->n, HP_MAX_PERIODS);
    goto fail;
  }
  /* Plan-wide keys. */
  P->npv = 1;
  const hp_ynode *ob = hp_yaml_map_get(m, "objective");
  if (ob) {
    if (ob->kind == HP_Y_SCALAR && strcmp(ob->scalar, "npv") == 0)
      P->npv = 1;
    else if (ob->kind == HP_Y_SCALAR && strcmp(ob->scalar, "capex") == 0)
      P->npv = 0;
    else {
      rc = hp_diag_set(d, HP_EINVAL, file, ob->line, ob->col,
                       "objective: with periods, expected npv (capex when "
                       "bought plus opex, discounted) or capex, got '%.40s'",
                       ob->kind == HP_Y_SCALAR ? ob->scalar : "?");
      goto fail;
    }
  }
  double life = 5;
  const hp_ynode *lt = hp_yaml_map_get(m, "lifetime_years");
  const hp_ynode *dr = hp_yaml_map_get(m, "discount_rate");
  if ((lt &&
       (rc = hp_yaml_get_number_in(lt, "lifetime_years", file, HP_NUM_POSITIVE,
                                   &life, d)) != HP_OK) ||
      (dr &&
       (rc = hp_yaml_get_number_in(dr, "discount_rate", file, HP_NUM_NONNEG,
                                   &P->discount_rate, d)) != HP_OK))
    goto fail;
  static const char *const plan_only[] = {"periods", "fleet", "lifetime_years",
                                          "discount_rate", "objective"};
  for (size_t i = 0; i < sizeof plan_only / sizeof plan_only[0]; i++)
    hp_yaml_map_remove(strip, plan_only[i]);
  if ((rc = take_override_lifetimes(strip, file, cat, life_cat, d)) != HP_OK)
    goto fail;
  hp_fleet_cohort *fleet = NULL;
  size_t n_fleet = 0;
  const hp_ynode *fl = hp_yaml_map_get(m, "fleet");
  if (fl && (rc = read_fleet(fl, file, cat, &fleet, &n_fleet, d)) != HP_OK)
    goto fail;
  P->fleet = fleet;
  P->n_fleet = n_fleet;
  for (size_t i = 0; i < n_fleet; i++)
    in_union[fleet[i].sku] = 1;
  /* Each period's tree and what it may buy. */
  size_t np = pe->n;
  trees = hp_calloc(np, sizeof *trees);
  buy_cat = hp_calloc(np, sizeof *buy_cat);
  P->p = hp_calloc(np, sizeof *P->p);
  if (!trees || !buy_cat || !P->p) {
    rc = hp_diag_oom(d);
    goto fail;
  }
  P->n = np;
  double *starts = hp_calloc(np, sizeof *starts);
  if (!starts) {
    rc = hp_diag_oom(d);
    goto fail;
  }
  int *has_start = hp_calloc(np, sizeof *has_start);
  double *ends = hp_calloc(np, sizeof *ends);
  if (!has_start || !ends) {
    hp_free(starts);
    hp_free(has_start);
    hp_free(ends);
    rc = hp_diag_oom(d);
    goto fail;
  }
  for (size_t i = 0; i < np && rc == HP_OK; i++) {
    const hp_ynode *e = pe->items[i];
    hp_period *pd = &P->p[i];
    pd->line = e->line;
    pd->col = e->col;
    if (e->kind != HP_Y_MAP) {
      rc = hp_diag_set(d, HP_ETYPE, file, e->line, e->col,
                       "periods[]: expected a period mapping (name, years), "
                       "got %s",
                       hp_yaml_kind_name(e->kind));
      break;
    }
    if ((rc = hp_yaml_check_keys(e, period_keys, "period", file, d)) != HP_OK)
      break;
    const hp_ynode *nm = hp_yaml_map_get(e, "name");
    const char *str;
    if (!nm) {
      rc = hp_diag_set(d, HP_EMISSING, file, e->line, e->col,
                       "period: required key 'name' is missing");
      break;
    }
    if ((rc = hp_yaml_get_string(nm, "name", file, &str, d)) != HP_OK)
      break;
    for (size_t j = 0; j < i; j++)
      if (strcmp(P->p[j].name, str) == 0) {
        rc = hp_diag_set(d, HP_EDUP, file, nm->line, nm->col,
                         "period name '%.60s' is used twice", str);
        break;
      }
    if (rc != HP_OK)
      break;
    if (!(pd->name = hp_strdup(str))) {
      rc = hp_diag_oom(d);
      break;
    }
    const hp_ynode *yr = hp_yaml_map_get(e, "years");
    const hp_ynode *st = hp_yaml_map_get(e, "start");
    const hp_ynode *en = hp_yaml_map_get(e, "end");
    ends[i] = -1e18;
    if (yr && (rc = hp_yaml_get_number_in(yr, "years", file, HP_NUM_POSITIVE,
                                          &pd->years, d)) != HP_OK)
      break;
    if (st && (rc = get_date(st, "start", file, &starts[i], d)) != HP_OK)
      break;
    if (en && (rc = get_date(en, "end", file, &ends[i], d)) != HP_OK)
      break;
    has_start[i] = st != NULL;
    if (!yr && !st) {
      rc = hp_diag_set(d, HP_EMISSING, file, e->line, e->col,
                       "period '%.60s': give its length, years: N, or its "
                       "start: YYYY-MM-DD",
                       pd->name);
      break;
    }
    hp_ynode *ov = period_overlay(e);
    if (!ov || !(trees[i] = hp_yaml_node_clone(strip)) ||
        hp_scenario_merge(trees[i], ov) != HP_OK) {
      hp_yaml_node_free(ov);
      rc = hp_diag_oom(d);
      break;
    }
    hp_yaml_node_free(ov);
    /* What the period may buy: its own devices list, bound. */
    hp_scenario sp;
    if ((rc = hp_scenario_bind(trees[i], file, cat, &sp, d)) != HP_OK)
      break;
    buy_cat[i] = hp_calloc(nc ? nc : 1, sizeof *buy_cat[i]);
    if (!buy_cat[i]) {
      hp_scenario_cleanup(&sp);
      rc = hp_diag_oom(d);
      break;
    }
    for (size_t k = 0; k < sp.n_cands; k++)
      for (size_t c = 0; c < nc; c++)
        if (strcmp(hp_catalog_at(cat, c)->id, sp.cands[k].spec.id) == 0)
          buy_cat[i][c] = in_union[c] = 1;
    hp_scenario_cleanup(&sp);
  }
  /* Lengths from dates: a period with a start and no years lasts until
   * its end, or the next period's start. */
  for (size_t i = 0; i < np && rc == HP_OK; i++) {
    hp_period *pd = &P->p[i];
    if (pd->years > 0)
      continue;
    double until = ends[i];
    if (until < -1e17 && i + 1 < np && has_start[i + 1])
      until = starts[i + 1];
    if (until < -1e17) {
      rc = hp_diag_set(d, HP_EMISSING, file, pd->line, pd->col,
                       "period '%.60s': has a start but no end, and no next "
                       "period with a start; give years: N or end: DATE",
                       pd->name);
      break;
    }
    pd->years = (until - starts[i]) / 365.25;
    if (pd->years <= 0) {
      rc = hp_diag_set(d, HP_ERANGE, file, pd->line, pd->col,
                       "period '%.60s': has length %.0f days; expected a "
                       "period that ends after it starts",
                       pd->name, until - starts[i]);
      break;
    }
  }
  hp_free(starts);
  hp_free(has_start);
  hp_free(ends);
  if (rc != HP_OK)
    goto fail;
  /* The SKU list: every SKU a period may buy or the fleet holds, in
   * catalog order. */
  P->skus = hp_calloc(nc ? nc : 1, sizeof *P->skus);
  P->lifetime_years = hp_calloc(nc ? nc : 1, sizeof *P->lifetime_years);
  size_t *sku_of = hp_calloc(nc ? nc : 1, sizeof *sku_of);
  if (!P->skus || !P->lifetime_years || !sku_of) {
    hp_free(sku_of);
    rc = hp_diag_oom(d);
    goto fail;
  }
  for (size_t c = 0; c < nc; c++)
    if (in_union[c]) {
      sku_of[c] = P->n_skus;
      P->lifetime_years[P->n_skus] = life_cat[c] > 0 ? life_cat[c] : life;
      P->skus[P->n_skus++] = hp_catalog_at(cat, c)->id;
    }
  for (size_t i = 0; i < n_fleet; i++)
    P->fleet[i].sku = sku_of[P->fleet[i].sku];
  double t = 0;
  for (size_t i = 0; i < np && rc == HP_OK; i++) {
    hp_period *pd = &P->p[i];
    pd->start_years = t;
    t += pd->years;
    if (!(pd->buyable = hp_calloc(P->n_skus, sizeof *pd->buyable))) {
      rc = hp_diag_oom(d);
      break;
    }
    for (size_t c = 0; c < nc; c++)
      if (in_union[c])
        pd->buyable[sku_of[c]] = buy_cat[i][c];
    if (set_devices(trees[i], P->skus, P->n_skus) != HP_OK) {
      rc = hp_diag_oom(d);
      break;
    }
    if ((rc = hp_scenario_bind(trees[i], file, cat, &pd->s, d)) != HP_OK)
      break;
    if (pd->s.objective != HP_OBJ_CAPEX) {
      rc = hp_diag_set(d, HP_EINVAL, file, pd->line, pd->col,
                       "period '%.60s': objective %s is not planned over "
                       "periods (npv or capex)",
                       pd->name, hp_model_objective_name(pd->s.objective));
      break;
    }
  }
  hp_free(sku_of);
  if (rc != HP_OK)
    goto fail;
  if ((rc = hp_scenario_bind(strip, file, cat, &sb, d)) != HP_OK)
    goto fail;
  /* Composed programs are harder than one period's: without a
   * solver.engine, GLPK first and CBC where GLPK has not proven the
   * optimum within its budget (HP_IP_AUTO, solver_cbc.h). */
  P->engine = sb.engine_given ? sb.engine : HP_IP_AUTO;
  *base = sb;
  *out = P;
  P = NULL;
fail:
  for (size_t i = 0; trees && i < pe->n; i++)
    hp_yaml_node_free(trees[i]);
  for (size_t i = 0; buy_cat && i < pe->n; i++)
    hp_free(buy_cat[i]);
  hp_free(trees);
  hp_free(buy_cat);
  hp_free(life_cat);
  hp_free(in_union);
  hp_yaml_node_free(strip);
  hp_scenario_periods_free(P);
  return rc;
}
