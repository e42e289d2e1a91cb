/* scenario_set.c - a bound scenario copied, and a figure of it set by its
 * plan key without binding the plan again (sweeps, Monte Carlo).
 *
 * hp_scenario_set knows the keys whose figure is one field of the bound
 * scenario (and what the binder derives from it); for any other key, and
 * for a value it cannot vouch for, it answers HP_ENOTSUP and the caller
 * binds the plan anew (hp_planfile_set_number), whose binder then judges
 * the value and words the error. So a value is never accepted here that
 * the binder would refuse, and every message stays the binder's.
 * The plan's `uncertain:` block (Monte Carlo distributions) is checked
 * here too, for the loader (hp_scenario_set_uncertain_parse).
 * No I/O: no plan, model or profile file is read.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "catalog.h"
#include "mem.h"
#include "scenario.h"
#include "status.h"

/* ----------------------------------------------------------------------------
 * Copies
 * ------------------------------------------------------------------------- */

/* A copy of s (hp_strdup of NULL is NULL). */
static int dup_str(char **dst, const char *src) {
  *dst = NULL;
  return !src || (*dst = hp_strdup(src)) ? HP_OK : HP_ENOMEM;
}

/* Copies of src's request classes into *dst (n of them). */
static int dup_classes(hp_request_class **dst, size_t *n_dst,
                       const hp_request_class *src, size_t n) {
  *dst = NULL;
  *n_dst = 0;
  if (!n)
    return HP_OK;
  if (!(*dst = hp_calloc(n, sizeof **dst)))
    return HP_ENOMEM;
  for (; *n_dst < n; ++*n_dst) {
    (*dst)[*n_dst] = src[*n_dst];
    if (dup_str(&(*dst)[*n_dst].name, src[*n_dst].name) != HP_OK)
      return HP_ENOMEM;
  }
  return HP_OK;
}

/* A copy of src's services into s (whose services and tput are empty):
 * each one's name, model strings and classes, and the throughput rows. */
static int dup_services(hp_scenario *s, const hp_scenario *src) {
  if (src->n_services) {
    if (!(s->services = hp_calloc(src->n_services, sizeof *s->services)))
      return HP_ENOMEM;
    for (; s->n_services < src->n_services; s->n_services++) {
      const hp_service *a = &src->services[s->n_services];
      hp_service *v = &s->services[s->n_services];
      *v = *a;
      v->name = v->model.name = v->model.file = NULL;
      v->classes = NULL;
      v->n_classes = 0;
      if (dup_str(&v->name, a->name) != HP_OK ||
          dup_str(&v->model.name, a->model.name) != HP_OK ||
          dup_str(&v->model.file, a->model.file) != HP_OK ||
          dup_classes(&v->classes, &v->n_classes, a->classes, a->n_classes) !=
              HP_OK) {
        s->n_services++; /* cleaned up with the rest */
        return HP_ENOMEM;
      }
      if (a->model.kv_dtype_file && a->model.kv_dtype_file == a->model.file)
        v->model.kv_dtype_file = v->model.file;
    }
  }
  if (dup_str(&s->tput_file, src->tput_file) != HP_OK)
    return HP_ENOMEM;
  if (src->n_tput) {
    if (!(s->tput = hp_calloc(src->n_tput, sizeof *s->tput)))
      return HP_ENOMEM;
    for (; s->n_tput < src->n_tput; s->n_tput++) {
      const hp_tput_row *a = &src->tput[s->n_tput];
      hp_tput_row *w = &s->tput[s->n_tput];
      *w = *a;
      if (dup_str(&w->source, a->source) != HP_OK)
        return HP_ENOMEM;
      /* The row's file borrows the scenario's names. */
      if (a->file && a->file == src->file)
        w->file = s->file;
      else if (a->file && a->file == src->tput_file)
        w->file = s->tput_file;
    }
  }
  return HP_OK;
}

int hp_scenario_set_copy(hp_scenario *dst, const hp_scenario *src) {
  hp_scenario s = *src;
  s.name = s.file = s.model.name = s.model.file = NULL;
  s.classes = NULL;
  s.cands = NULL;
  s.caps = NULL;
  s.exclude_vendors = NULL;
  s.services = NULL;
  s.tput = NULL;
  s.tput_file = NULL;
  s.n_classes = s.n_cands = s.n_caps = s.n_exclude_vendors = 0;
  s.n_services = s.n_tput = 0;
  if (dup_str(&s.name, src->name) != HP_OK ||
      dup_str(&s.file, src->file) != HP_OK ||
      dup_str(&s.model.name, src->model.name) != HP_OK ||
      dup_str(&s.model.file, src->model.file) != HP_OK)
    goto oom;
  /* kv_dtype_file borrows the plan's or the model file's name. */
  if (src->model.kv_dtype_file == src->file)
    s.model.kv_dtype_file = s.file;
  else if (src->model.kv_dtype_file == src->model.file)
    s.model.kv_dtype_file = s.model.file;
  if (src->n_classes) {
    if (!(s.classes = hp_calloc(src->n_classes, sizeof *s.classes)))
      goto oom;
    for (; s.n_classes < src->n_classes; s.n_classes++) {
      hp_request_class *c = &s.classes[s.n_classes];
      *c = src->classes[s.n_classes];
      if (dup_str(&c->name, src->classes[s.n_classes].name) != HP_OK)
        goto oom;
    }
  }
  if (src->n_cands) {
    if (!(s.cands = hp_calloc(src->n_cands, sizeof *s.cands)))
      goto oom;
    for (; s.n_cands < src->n_cands; s.n_cands++) {
      const hp_candidate *a = &src->cands[s.n_cands];
      hp_candidate *c = &s.cands[s.n_cands];
      *c = *a;
      c->mfu_from = c->price_as_of = NULL;
      if (dup_str(&c->mfu_from, a->mfu_from) != HP_OK ||
          dup_str(&c->price_as_of, a->price_as_of) != HP_OK) {
        hp_free(c->mfu_from);
        goto oom;
      }
      /* An overridden price's date points at the candidate's own copy. */
      if (a->spec.price_as_of && a->spec.price_as_of == a->price_as_of)
        c->spec.price_as_of = c->price_as_of;
    }
  }
  if (src->n_caps) {
    if (!(s.caps = hp_calloc(src->n_caps, sizeof *s.caps)))
      goto oom;
    for (; s.n_caps < src->n_caps; s.n_caps++) {
      s.caps[s.n_caps] = src->caps[s.n_caps];
      if (dup_str(&s.caps[s.n_caps].key, src->caps[s.n_caps].key) != HP_OK)
        goto oom;
    }
  }
  if (src->n_exclude_vendors) {
    if (!(s.exclude_vendors =
              hp_calloc(src->n_exclude_vendors, sizeof *s.exclude_vendors)))
      goto oom;
    for (; s.n_exclude_vendors < src->n_exclude_vendors; s.n_exclude_vendors++)
      if (dup_str(&s.exclude_vendors[s.n_exclude_vendors],
                  src->exclude_vendors[s.n_exclude_vendors]) != HP_OK)
        goto oom;
  }
  if (dup_services(&s, src) != HP_OK)
    goto oom;
  *dst = s;
  return HP_OK;
oom:
  hp_scenario_cleanup(&s);
  return HP_ENOMEM;
}

/* ----------------------------------------------------------------------------
 * Setting a figure by its key
 * ------------------------------------------------------------------------- */

/* What the binder accepts of a key's value (yamlx.h hp_numrange), at
 * least as strictly: NaN and infinities never. */
static int in_kind(double v, hp_numrange k) {
  if (!isfinite(v))
    return 0;
  switch (k) {
  case HP_NUM_POSITIVE:
    return v > 0;
  case HP_NUM_NONNEG:
    return v >= 0;
  case HP_NUM_FRACTION:
    return v >= 0 && v <= 1;
  case HP_NUM_UNIT_OPEN:
    return v > 0 && v <= 1;
  default:
    return 0;
  }
}

/* The keys set here: path, the field, and the binder's range. */
#define F(field) offsetof(hp_scenario, field)
static const struct {
  const char *key;
  size_t off;
  hp_numrange kind;
} direct[] = {
    {"workload.tokens_per_day", F(tokens_per_day), HP_NUM_POSITIVE},
    {"constraints.domestic_share.min", F(dom_min), HP_NUM_FRACTION},
    {"constraints.domestic_share.max", F(dom_max), HP_NUM_FRACTION},
    {"constraints.headroom", F(headroom), HP_NUM_NONNEG},
    {"constraints.power_mw", F(power_mw), HP_NUM_POSITIVE},
    {"constraints.budget_cny", F(budget_cny), HP_NUM_POSITIVE},
    {"constraints.max_vendor_share", F(max_vendor_share), HP_NUM_UNIT_OPEN},
    {"years", F(years), HP_NUM_POSITIVE},
    {"power_price_cny_per_kwh", F(power_price_cny_per_kwh), HP_NUM_NONNEG},
    {"utilisation", F(utilisation), HP_NUM_FRACTION},
    {"token_price_cny_per_mtok", F(token_price_cny_per_mtok), HP_NUM_POSITIVE},
    {"solver.mip_gap", F(mip_gap), HP_NUM_FRACTION},
    /* The roofline's knobs, read when the scenario is solved. */
    {"roofline.memory_fraction", F(roof.memory_fraction), HP_NUM_UNIT_OPEN},
    {"roofline.pcie_gbps", F(roof.pcie_gbps), HP_NUM_POSITIVE},
    {"roofline.allreduce_latency_us", F(roof.allreduce_us), HP_NUM_NONNEG},
    {"roofline.overlap", F(roof.overlap), HP_NUM_FRACTION},
    {"roofline.kv_mbu", F(roof.kv_mbu), HP_NUM_UNIT_OPEN},
    {"roofline.reread_hit", F(roof.reread_hit), HP_NUM_FRACTION},
    {"roofline.scaleout_gbps", F(roof.scaleout_gbps), HP_NUM_POSITIVE},
};
#undef F

/* A card's efficiency and figures (`mfu`, `mbu`, `overrides.ID.KEY`),
 * set on the candidates the binder gives the plan's value: the plan's mfu
 * where nothing stronger (a profile, an override) took precedence
 * (mfu_from "plan"), its mbu likewise (mbu_plan), an override on its card.
 * A card's servers (cards_per_server) also scale the services' throughput
 * rows at binding: that key is bound again. 1 if key is one of these. */
static int card_key(const char *key, const char **id, size_t *id_len,
                    const char **what) {
  if (strcmp(key, "mfu") == 0 || strcmp(key, "mbu") == 0) {
    *id = NULL;
    *id_len = 0;
    *what = key;
    return 1;
  }
  if (strncmp(key, "overrides.", 10) != 0)
    return 0;
  const char *a = key + 10, *dot = strchr(a, '.');
  if (!dot || dot == a || !dot[1] || strchr(dot + 1, '.'))
    return 0;
  hp_figure f;
  *id = a;
  *id_len = (size_t)(dot - a);
  *what = dot + 1;
  return strcmp(*what, "mfu") == 0 || strcmp(*what, "mbu") == 0 ||
         strcmp(*what, "price_hour_cny") == 0 ||
         (hp_figure_find(*what, &f) == HP_OK && f != HP_FIG_cards_per_server);
}

static int set_card(hp_scenario *s, const char *id, size_t id_len,
                    const char *what, double v) {
  int mfu = strcmp(what, "mfu") == 0, mbu = strcmp(what, "mbu") == 0;
  if (!in_kind(v, mfu || mbu ? HP_NUM_UNIT_OPEN : HP_NUM_POSITIVE) ||
      (!mfu && !mbu && v < HP_MIN_FIGURE))
    return HP_ENOTSUP;
  if (!id) { /* the plan's own mfu or mbu */
    for (size_t i = 0; i < s->n_cands; i++) {
      hp_candidate *c = &s->cands[i];
      if (mfu && c->mfu_from && strcmp(c->mfu_from, "plan") == 0)
        c->mfu = v;
      else if (mbu && c->mbu_plan)
        c->mbu = v;
    }
    return HP_OK;
  }
  /* An override, written by the plan or not: what the binder does with
   * overrides.ID.KEY = v (apply_override in scenario.c). */
  for (size_t i = 0; i < s->n_cands; i++) {
    hp_candidate *c = &s->cands[i];
    if (strlen(c->spec.id) != id_len || strncmp(c->spec.id, id, id_len) != 0)
      continue;
    if (mfu) {
      /* The override wins over a profile, the plan and the device file. */
      if (!c->mfu_from || strcmp(c->mfu_from, "override") != 0) {
        char *from = hp_strdup("override");
        if (!from)
          return HP_ENOMEM;
        hp_free(c->mfu_from);
        c->mfu_from = from;
      }
      c->mfu = v;
      c->eff_default &= ~1;
    } else if (mbu) {
      c->mbu = v; /* applied last, over a profile's and the plan's */
      c->eff_default &= ~2;
      c->mbu_plan = 0;
    } else if (strcmp(what, "price_hour_cny") == 0) {
      c->spec.price_hour_cny = v;
    } else {
      hp_figure f;
      hp_figure_find(what, &f);
      c->spec.fig[f] = v;
      c->spec.conf[f] = HP_CONF_E;
      /* A price the plan gives without its own date is not the catalog's
       * dated price. */
      if ((f == HP_FIG_price_server_cny || f == HP_FIG_price_card_cny) &&
          !c->price_as_of)
        c->spec.price_as_of = NULL;
    }
    return HP_OK;
  }
  return HP_ENOTSUP; /* a card the scenario does not list: bind it */
}

int hp_scenario_set_takes(const char *key) {
  const char *id, *what;
  size_t id_len;
  for (size_t i = 0; i < sizeof direct / sizeof direct[0]; i++)
    if (strcmp(key, direct[i].key) == 0)
      return 1;
  if (card_key(key, &id, &id_len, &what))
    return 1;
  return strncmp(key, "constraints.caps.", 17) == 0 && key[17] != '\0';
}

int hp_scenario_set(hp_scenario *s, const char *key, double v, hp_diag *d) {
  (void)d; /* the binder words every refusal: see the file's header */
  const char *id, *what;
  size_t id_len;
  if (card_key(key, &id, &id_len, &what))
    return set_card(s, id, id_len, what, v);
  if (strncmp(key, "constraints.caps.", 17) == 0) {
    const char *k = key + 17;
    int is_vendor = strncmp(k, "vendor.", 7) == 0;
    if (is_vendor)
      k += 7;
    if (!in_kind(v, HP_NUM_NONNEG))
      return HP_ENOTSUP;
    for (size_t i = 0; i < s->n_caps; i++)
      if (s->caps[i].is_vendor == is_vendor && strcmp(s->caps[i].key, k) == 0) {
        s->caps[i].cards = v;
        return HP_OK;
      }
    return HP_ENOTSUP; /* a cap the plan does not write: bind it */
  }
  for (size_t i = 0; i < sizeof direct / sizeof direct[0]; i++) {
    if (strcmp(key, direct[i].key) != 0)
      continue;
    if (!in_kind(v, direct[i].kind))
      return HP_ENOTSUP;
    if (direct[i].off == offsetof(hp_scenario, dom_min) &&
        (!s->has_dom_min || (s->has_dom_max && v > s->dom_max)))
      return HP_ENOTSUP;
    if (direct[i].off == offsetof(hp_scenario, dom_max) &&
        (!s->has_dom_max || (s->has_dom_min && s->dom_min > v)))
      return HP_ENOTSUP;
    if (direct[i].off == offsetof(hp_scenario, tokens_per_day) &&
        (s->users > 0 || !s->has_workload))
      return HP_ENOTSUP;
    memcpy((char *)s + direct[i].off, &v, sizeof v);
    if (direct[i].off == offsetof(hp_scenario, tokens_per_day) &&
        s->n_classes) {
      /* As the binder: one rate drives both demand models. */
      double per_req = 0;
      for (size_t c = 0; c < s->n_classes; c++)
        per_req += s->classes[c].share *
                   (s->classes[c].input_tokens + s->classes[c].output_tokens);
      s->requests_per_s = s->tokens_per_day / s->seconds_per_day / per_req;
    }
    return HP_OK;
  }
  return HP_ENOTSUP;
}

/* The node at a dotted key in merged tree m, or NULL; "caps.vendor.X"
 * is one segment, as hp_planfile_set_number reads it. */
static const hp_ynode *node_at(const hp_ynode *m, const char *key) {
  char buf[512];
  if (strlen(key) >= sizeof buf)
    return NULL;
  memcpy(buf, key, strlen(key) + 1);
  const hp_ynode *cur = m;
  char *seg = buf, *prev = NULL;
  while (cur && seg) {
    char *dot = strchr(seg, '.');
    if (prev && strcmp(prev, "caps") == 0 && strncmp(seg, "vendor.", 7) == 0)
      dot = NULL; /* the rest is the vendor's name */
    if (dot)
      *dot = '\0';
    if (cur->kind != HP_Y_MAP)
      return NULL;
    cur = hp_yaml_map_get(cur, seg);
    prev = seg;
    seg = dot ? dot + 1 : NULL;
  }
  return cur;
}

int hp_scenario_set_planfile_takes(const hp_planfile *p, const char *key) {
  if (!hp_scenario_set_takes(key))
    return 0;
  /* An override the plan does not write is set as the binder would add
   * it (set_card); any other key must be written. */
  int absent_ok = strncmp(key, "overrides.", 10) == 0;
  for (size_t i = 0; i < p->n; i++) {
    const hp_ynode *n = node_at(p->merged[i], key);
    if (n ? n->kind != HP_Y_SCALAR : !absent_ok)
      return 0;
  }
  return 1;
}

/* ----------------------------------------------------------------------------
 * The plan's `uncertain:` block
 * ------------------------------------------------------------------------- */

const char *hp_scenario_set_dist_name(hp_dist_kind k) {
  static const char *const names[] = {"uniform", "normal", "triangular",
                                      "lognormal"};
  return (unsigned)k < 4 ? names[k] : "?";
}

/* Parameters per distribution, in hp_wi_dist.p order; min/max of normal
 * and lognormal are optional truncation bounds. */
static const char *const dist_params[4][3] = {{"min", "max", NULL},
                                              {"mean", "sd", NULL},
                                              {"min", "mode", "max"},
                                              {"median", "sigma", NULL}};
static const char *const dist_keys[4][6] = {
    {"dist", "min", "max", NULL},
    {"dist", "mean", "sd", "min", "max", NULL},
    {"dist", "min", "mode", "max", NULL},
    {"dist", "median", "sigma", "min", "max", NULL}};

void hp_scenario_set_dists_free(hp_wi_dist *v, size_t n) {
  if (!v)
    return;
  for (size_t i = 0; i < n; i++)
    hp_free(v[i].key);
  hp_free(v);
}

/* Standard normal CDF. */
static double phi(double z) { return 0.5 * erfc(-z / sqrt(2.0)); }

/* The share of a normal or lognormal distribution inside its truncation
 * bounds [lo, hi]. */
static double trunc_mass(const hp_wi_dist *g) {
  double a, b;
  if (g->kind == HP_DIST_NORMAL) {
    a = (g->lo - g->p[0]) / g->p[1];
    b = (g->hi - g->p[0]) / g->p[1];
  } else {
    a = g->lo > 0 ? log(g->lo / g->p[0]) / g->p[1] : -HUGE_VAL;
    b = g->hi > 0 ? log(g->hi / g->p[0]) / g->p[1] : -HUGE_VAL;
  }
  return phi(b) - phi(a);
}

static int parse_one_dist(const hp_ynode *v, const char *key, int kl, int kc,
                          const char *file, hp_wi_dist *g, hp_diag *d) {
  int rc;
  if (v->kind != HP_Y_MAP)
    return hp_diag_set(d, HP_ETYPE, file, v->line, v->col,
                       "uncertain.%s: expected a mapping like {dist: uniform, "
                       "min: 1, max: 2}, got %s",
                       key, hp_yaml_kind_name(v->kind));
  const hp_ynode *dn = hp_yaml_map_get(v, "dist");
  if (!dn)
    return hp_diag_set(d, HP_EMISSING, file, v->line, v->col,
                       "uncertain.%s: required key 'dist' is missing "
                       "(uniform, normal, triangular or lognormal)",
                       key);
  const char *ds;
  if ((rc = hp_yaml_get_string(dn, "dist", file, &ds, d)) != HP_OK)
    return rc;
  int kind = -1;
  for (int k = 0; k < 4; k++)
    if (strcmp(ds, hp_scenario_set_dist_name((hp_dist_kind)k)) == 0)
      kind = k;
  if (kind < 0)
    return hp_diag_set(d, HP_EINVAL, file, dn->line, dn->col,
                       "uncertain.%s.dist: expected uniform, normal, "
                       "triangular or lognormal, got '%.60s'",
                       key, ds);
  char where[160];
  snprintf(where, sizeof where, "uncertain.%.100s (%s)", key, ds);
  if ((rc = hp_yaml_check_keys(v, dist_keys[kind], where, file, d)) != HP_OK)
    return rc;
  g->kind = (hp_dist_kind)kind;
  g->lo = -HUGE_VAL;
  g->hi = HUGE_VAL;
  g->line = kl;
  g->col = kc;
  for (int i = 0; i < 3 && dist_params[kind][i]; i++) {
    const char *pn = dist_params[kind][i];
    const hp_ynode *n = hp_yaml_map_get(v, pn);
    if (!n)
      return hp_diag_set(d, HP_EMISSING, file, v->line, v->col,
                         "uncertain.%s: a %s distribution needs '%s'", key, ds,
                         pn);
    snprintf(where, sizeof where, "uncertain.%.100s.%s", key, pn);
    if ((rc = hp_yaml_get_number(n, where, file, &g->p[i], d)) != HP_OK)
      return rc;
  }
  if (kind == HP_DIST_NORMAL || kind == HP_DIST_LOGNORMAL) {
    const hp_ynode *n;
    snprintf(where, sizeof where, "uncertain.%.100s.min", key);
    if ((n = hp_yaml_map_get(v, "min")) &&
        (rc = hp_yaml_get_number(n, where, file, &g->lo, d)) != HP_OK)
      return rc;
    snprintf(where, sizeof where, "uncertain.%.100s.max", key);
    if ((n = hp_yaml_map_get(v, "max")) &&
        (rc = hp_yaml_get_number(n, where, file, &g->hi, d)) != HP_OK)
      return rc;
    if (g->lo >= g->hi)
      return hp_diag_set(d, HP_ERANGE, file, v->line, v->col,
                         "uncertain.%s: truncation min must be below max", key);
  }
  const hp_ynode *at = v;
  const char *bad = NULL;
  switch (kind) {
  case HP_DIST_UNIFORM:
    if (!(g->p[0] < g->p[1]))
      bad = "min must be below max";
    break;
  case HP_DIST_NORMAL:
    if (!(g->p[1] > 0))
      bad = "sd must be > 0", at = hp_yaml_map_get(v, "sd");
    break;
  case HP_DIST_TRIANGULAR:
    if (!(g->p[0] < g->p[2]))
      bad = "min must be below max";
    else if (g->p[1] < g->p[0] || g->p[1] > g->p[2])
      bad = "mode must lie in [min, max]", at = hp_yaml_map_get(v, "mode");
    break;
  default:
    if (!(g->p[0] > 0))
      bad = "median must be > 0", at = hp_yaml_map_get(v, "median");
    else if (!(g->p[1] > 0))
      bad = "sigma must be > 0", at = hp_yaml_map_get(v, "sigma");
    break;
  }
  if (bad)
    return hp_diag_set(d, HP_ERANGE, file, at->line, at->col,
                       "uncertain.%s: %s", key, bad);
  if ((kind == HP_DIST_NORMAL || kind == HP_DIST_LOGNORMAL) &&
      (g->lo > -HUGE_VAL || g->hi < HUGE_VAL)) {
    double m = trunc_mass(g);
    if (!(m >= 0.01))
      return hp_diag_set(
          d, HP_ERANGE, file, v->line, v->col,
          "uncertain.%s: %s keep%s %.2g%% of the %s distribution (%s %g, %s "
          "%g); at least 1%% is needed to sample it: %s or move the %s",
          key,
          g->lo > -HUGE_VAL && g->hi < HUGE_VAL ? "min and max"
          : g->lo > -HUGE_VAL                   ? "min"
                                                : "max",
          g->lo > -HUGE_VAL && g->hi < HUGE_VAL ? "" : "s", 100 * m, ds,
          dist_params[kind][0], g->p[0], dist_params[kind][1], g->p[1],
          g->lo > -HUGE_VAL && g->hi < HUGE_VAL ? "widen them" : "move it",
          dist_params[kind][0]);
  }
  return HP_OK;
}

int hp_scenario_set_uncertain_parse(const hp_ynode *u, const char *file,
                                    hp_wi_dist **out, size_t *n_out,
                                    hp_diag *d) {
  hp_wi_dist *v = NULL;
  size_t n = 0;
  int rc;
  if (out) {
    *out = NULL;
    *n_out = 0;
  }
  if (!u)
    return HP_OK;
  if (u->kind != HP_Y_MAP || u->n == 0)
    return hp_diag_set(d, HP_ETYPE, file, u->line, u->col,
                       "uncertain: expected a non-empty mapping of key paths "
                       "to distributions, got %s",
                       u->kind == HP_Y_MAP ? "an empty mapping"
                                           : hp_yaml_kind_name(u->kind));
  if (u->n > HP_MAX_UNCERTAIN)
    return hp_diag_set(d, HP_ELIMIT, file, u->line, u->col,
                       "uncertain: %zu keys, more than the limit of %d "
                       "(HP_WI_MAX_KEYS)",
                       u->n, HP_MAX_UNCERTAIN);
  if (!(v = hp_calloc(u->n, sizeof *v)))
    return hp_diag_oom(d);
  for (size_t i = 0; i < u->n; i++) {
    hp_wi_dist *g = &v[n];
    if (!(g->key = hp_strdup(u->keys[i]))) {
      rc = hp_diag_oom(d);
      goto fail;
    }
    n++;
    if ((rc = parse_one_dist(u->items[i], u->keys[i], u->key_line[i],
                             u->key_col[i], file, g, d)) != HP_OK)
      goto fail;
  }
  if (out) {
    *out = v;
    *n_out = n;
  } else {
    hp_scenario_set_dists_free(v, n);
  }
  return HP_OK;
fail:
  hp_scenario_set_dists_free(v, n);
  return rc;
}
