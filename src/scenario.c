/* scenario.c - plans/ *.yaml into validated scenarios.
 *
 * A plan has `name`, optional `defaults` and a sequence `scenarios`. Each
 * scenario is defaults deep-merged with its entry (the entry wins; maps merge
 * key by key, anything else is replaced), then bound against a schema of
 * known keys with types and ranges. Every error names file:line:column.
 *
 * Layout: names of enums, merge, binding (workload, constraints, devices),
 * the plan file, numeric edits by path (sweeps).
 */
#define _POSIX_C_SOURCE 200809L
#include "scenario.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "catalog.h"
#include "mem.h"
#include "profile.h"
#include "status.h"

/* ----------------------------------------------------------------------------
 * Names
 * ------------------------------------------------------------------------- */

const char *hp_granularity_name(hp_granularity g) {
  static const char *const n[] = {"fractional", "card", "server"};
  return g <= HP_GRAN_SERVER ? n[g] : "?";
}
const char *hp_objective_name(hp_objective o) {
  static const char *const n[] = {"capex", "max_tokens", "tco"};
  return o <= HP_OBJ_TCO ? n[o] : "?";
}
const char *hp_demand_model_name(hp_demand_model m) {
  return m == HP_DEMAND_ROOFLINE ? "roofline" : "flops";
}
const char *hp_basis_name(hp_share_basis b) {
  static const char *const n[] = {"compute", "cards", "capex"};
  return b <= HP_BASIS_CAPEX ? n[b] : "?";
}

/* An enum value from a string; error lists the choices. */
static int get_enum(const hp_ynode *n, const char *key, const char *file,
                    const char *const *choices, int *out, hp_diag *d) {
  const char *s;
  int rc = hp_yget_string(n, key, file, &s, d);
  if (rc != HP_OK)
    return rc;
  hp_buf b;
  hp_buf_init(&b);
  for (int i = 0; choices[i]; i++) {
    if (strcmp(s, choices[i]) == 0) {
      hp_buf_cleanup(&b);
      *out = i;
      return HP_OK;
    }
    hp_buf_printf(&b, "%s%s", i ? ", " : "", choices[i]);
  }
  rc = hp_diag_set(d, HP_ERANGE, file, n->line, n->col,
                   "%s: expected one of %s, got '%.100s'", key,
                   b.data ? b.data : "", s);
  hp_buf_cleanup(&b);
  return rc;
}

/* ----------------------------------------------------------------------------
 * Merge
 * ------------------------------------------------------------------------- */

/* Keys that are alternatives: an overlay that sets one hides the other
 * inherited from the base (tokens/day or users x tokens/user/day). */
static const char *const alternatives[][2] = {
    {"tokens_per_day", "users"},
};

/* Deep-merges overlay into base (base is modified). */
static int merge_into(hp_ynode *base, const hp_ynode *overlay) {
  for (size_t a = 0; a < sizeof alternatives / sizeof alternatives[0]; a++) {
    for (int side = 0; side < 2; side++)
      if (hp_ymap_get(overlay, alternatives[a][side]) &&
          !hp_ymap_get(overlay, alternatives[a][!side]))
        hp_ymap_remove(base, alternatives[a][!side]);
  }
  for (size_t i = 0; i < overlay->n; i++) {
    const hp_ynode *ov = overlay->items[i];
    hp_ynode *bv = (hp_ynode *)hp_ymap_get(base, overlay->keys[i]);
    if (bv && bv->kind == HP_Y_MAP && ov->kind == HP_Y_MAP) {
      int rc = merge_into(bv, ov);
      if (rc != HP_OK)
        return rc;
      continue;
    }
    hp_ynode *copy = hp_ynode_clone(ov);
    if (!copy)
      return HP_ENOMEM;
    if (hp_ymap_set(base, overlay->keys[i], copy, overlay->key_line[i],
                    overlay->key_col[i]) != HP_OK) {
      hp_ynode_free(copy);
      return HP_ENOMEM;
    }
  }
  return HP_OK;
}

/* ----------------------------------------------------------------------------
 * Binding
 * ------------------------------------------------------------------------- */

void hp_scenario_cleanup(hp_scenario *s) {
  if (!s)
    return;
  hp_free(s->name);
  hp_free(s->file);
  hp_free(s->model.name);
  for (size_t i = 0; i < s->n_cands; i++) {
    hp_device_spec_cleanup(&s->cands[i].spec);
    hp_free(s->cands[i].mfu_from);
  }
  hp_free(s->cands);
  for (size_t i = 0; i < s->n_caps; i++)
    hp_free(s->caps[i].key);
  hp_free(s->caps);
  for (size_t i = 0; i < s->n_exclude_vendors; i++)
    hp_free(s->exclude_vendors[i]);
  hp_free(s->exclude_vendors);
  memset(s, 0, sizeof *s);
}

static const char *const scenario_keys[] = {
    "name",      "description", "workload",  "demand_model",
    "mfu",       "mbu",         "granularity", "devices",
    "overrides", "measured",    "objective", "constraints",
    "pue",       "years",       "power_price_cny_per_kwh",
    "utilisation", "token_price_cny_per_mtok", NULL};
static const char *const workload_keys[] = {
    "model", "tokens_per_day", "users", "tokens_per_user_per_day",
    "seconds_per_day", "peak_factor", NULL};
static const char *const model_keys[] = {"name", "params", "active_params",
                                         NULL};
static const char *const constraint_keys[] = {
    "headroom",  "domestic_share", "caps",           "exclude_vendors",
    "power_mw",  "budget_cny",     "max_vendor_share", NULL};
static const char *const share_keys[] = {"min", "max", "basis", NULL};

/* Optional number at key with a range; *out untouched when absent. */
static int opt_num(const hp_ynode *map, const char *key, const char *where,
                   const char *file, hp_numrange r, double *out, hp_diag *d) {
  const hp_ynode *n = hp_ymap_get(map, key);
  if (!n)
    return HP_OK;
  char full[160];
  snprintf(full, sizeof full, "%s%s%s", where ? where : "", where ? "." : "",
           key);
  return hp_yget_number_in(n, full, file, r, out, d);
}

static int expect_map(const hp_ynode *n, const char *key, const char *file,
                      hp_diag *d) {
  if (n->kind != HP_Y_MAP)
    return hp_diag_set(d, HP_ETYPE, file, n->line, n->col,
                       "%s: expected a mapping, got %s", key,
                       hp_ykind_name(n->kind));
  return HP_OK;
}

static int bind_workload(const hp_ynode *m, const char *file, hp_scenario *s,
                         hp_diag *d) {
  const hp_ynode *w = hp_ymap_get(m, "workload");
  int rc;
  s->seconds_per_day = 86400;
  s->peak_factor = 1;
  if (!w) {
    if (s->objective == HP_OBJ_MAX_TOKENS)
      return HP_OK;
    return hp_diag_set(d, HP_EMISSING, file, s->line, s->col,
                       "scenario '%s': required key 'workload' is missing "
                       "(in the scenario or in defaults)",
                       s->name);
  }
  if ((rc = expect_map(w, "workload", file, d)) != HP_OK ||
      (rc = hp_ycheck_keys(w, workload_keys, "workload", file, d)) != HP_OK)
    return rc;
  s->has_workload = 1;
  const hp_ynode *model = hp_ymap_get(w, "model");
  if (!model)
    return hp_diag_set(d, HP_EMISSING, file, w->line, w->col,
                       "workload: required key 'model' is missing (e.g. "
                       "model: {params: 130e9})");
  if ((rc = expect_map(model, "workload.model", file, d)) != HP_OK ||
      (rc = hp_ycheck_keys(model, model_keys, "workload.model", file, d)) !=
          HP_OK)
    return rc;
  const hp_ynode *params = hp_ymap_get(model, "params");
  if (!params)
    return hp_diag_set(d, HP_EMISSING, file, model->line, model->col,
                       "workload.model: required key 'params' is missing "
                       "(total parameters, e.g. 130e9)");
  if ((rc = hp_yget_number_in(params, "workload.model.params", file,
                              HP_NUM_POSITIVE, &s->model.params, d)) != HP_OK)
    return rc;
  s->model.active_params = s->model.params;
  if ((rc = opt_num(model, "active_params", "workload.model", file,
                    HP_NUM_POSITIVE, &s->model.active_params, d)) != HP_OK)
    return rc;
  if (s->model.active_params > s->model.params) {
    const hp_ynode *a = hp_ymap_get(model, "active_params");
    return hp_diag_set(d, HP_ERANGE, file, a->line, a->col,
                       "workload.model.active_params: expected at most params "
                       "(%g), got %g",
                       s->model.params, s->model.active_params);
  }
  const hp_ynode *mn = hp_ymap_get(model, "name");
  if (mn) {
    const char *str;
    if ((rc = hp_yget_string(mn, "workload.model.name", file, &str, d)) !=
        HP_OK)
      return rc;
    if (!(s->model.name = hp_strdup(str)))
      return hp_diag_oom(d);
  }
  const hp_ynode *tpd = hp_ymap_get(w, "tokens_per_day");
  const hp_ynode *users = hp_ymap_get(w, "users");
  const hp_ynode *tpu = hp_ymap_get(w, "tokens_per_user_per_day");
  if (tpd && users)
    return hp_diag_set(d, HP_EDUP, file, users->line, users->col,
                       "workload: give either tokens_per_day or users (with "
                       "tokens_per_user_per_day), not both; tokens_per_day is "
                       "at line %d",
                       tpd->line);
  if (tpd) {
    if ((rc = hp_yget_number_in(tpd, "workload.tokens_per_day", file,
                                HP_NUM_POSITIVE, &s->tokens_per_day, d)) !=
        HP_OK)
      return rc;
  } else if (users) {
    if ((rc = hp_yget_number_in(users, "workload.users", file,
                                HP_NUM_POSITIVE, &s->users, d)) != HP_OK)
      return rc;
    if (!tpu)
      return hp_diag_set(d, HP_EMISSING, file, users->line, users->col,
                         "workload.users needs tokens_per_user_per_day (in "
                         "the scenario or in defaults)");
    if ((rc = hp_yget_number_in(tpu, "workload.tokens_per_user_per_day", file,
                                HP_NUM_POSITIVE, &s->tokens_per_user_per_day,
                                d)) != HP_OK)
      return rc;
    s->tokens_per_day = s->users * s->tokens_per_user_per_day;
  } else {
    return hp_diag_set(d, HP_EMISSING, file, w->line, w->col,
                       "workload: needs tokens_per_day, or users with "
                       "tokens_per_user_per_day");
  }
  if (tpu && !users) {
    if ((rc = hp_yget_number_in(tpu, "workload.tokens_per_user_per_day",
                                file, HP_NUM_POSITIVE,
                                &s->tokens_per_user_per_day, d)) != HP_OK)
      return rc;
  }
  if ((rc = opt_num(w, "seconds_per_day", "workload", file, HP_NUM_POSITIVE,
                    &s->seconds_per_day, d)) != HP_OK)
    return rc;
  if (s->seconds_per_day > 864000) {
    const hp_ynode *n = hp_ymap_get(w, "seconds_per_day");
    return hp_diag_set(d, HP_ERANGE, file, n->line, n->col,
                       "workload.seconds_per_day: expected at most 864000 "
                       "(10 days), got %g",
                       s->seconds_per_day);
  }
  if ((rc = opt_num(w, "peak_factor", "workload", file, HP_NUM_GE1,
                    &s->peak_factor, d)) != HP_OK)
    return rc;
  return HP_OK;
}

static int add_cap(hp_scenario *s, const char *key, int is_vendor,
                   double cards) {
  hp_cap *c = hp_realloc(s->caps, (s->n_caps + 1) * sizeof *c);
  if (!c)
    return HP_ENOMEM;
  s->caps = c;
  char *k = hp_strdup(key);
  if (!k)
    return HP_ENOMEM;
  s->caps[s->n_caps].key = k;
  s->caps[s->n_caps].is_vendor = is_vendor;
  s->caps[s->n_caps++].cards = cards;
  return HP_OK;
}

static int vendor_known(const hp_catalog *cat, const char *v) {
  for (size_t i = 0; i < hp_catalog_count(cat); i++)
    if (strcmp(hp_catalog_at(cat, i)->vendor, v) == 0)
      return 1;
  return 0;
}

static int unknown_device(const hp_catalog *cat, const char *id,
                          const char *what, const char *file, int line,
                          int col, hp_diag *d) {
  const char *sug = hp_catalog_suggest(cat, id);
  if (sug)
    return hp_diag_set(d, HP_ENODEV, file, line, col,
                       "%s: unknown device '%.100s' (did you mean '%s'?)",
                       what, id, sug);
  return hp_diag_set(d, HP_ENODEV, file, line, col,
                     "%s: unknown device '%.100s' (see `hetplan devices`)",
                     what, id);
}

static int bind_constraints(const hp_ynode *m, const char *file,
                            const hp_catalog *cat, hp_scenario *s,
                            hp_diag *d) {
  const hp_ynode *c = hp_ymap_get(m, "constraints");
  int rc;
  if (!c)
    return HP_OK;
  if ((rc = expect_map(c, "constraints", file, d)) != HP_OK ||
      (rc = hp_ycheck_keys(c, constraint_keys, "constraints", file, d)) !=
          HP_OK)
    return rc;
  if ((rc = opt_num(c, "headroom", "constraints", file, HP_NUM_NONNEG,
                    &s->headroom, d)) != HP_OK ||
      (rc = opt_num(c, "power_mw", "constraints", file, HP_NUM_POSITIVE,
                    &s->power_mw, d)) != HP_OK ||
      (rc = opt_num(c, "budget_cny", "constraints", file, HP_NUM_POSITIVE,
                    &s->budget_cny, d)) != HP_OK ||
      (rc = opt_num(c, "max_vendor_share", "constraints", file,
                    HP_NUM_UNIT_OPEN, &s->max_vendor_share, d)) != HP_OK)
    return rc;
  const hp_ynode *ds = hp_ymap_get(c, "domestic_share");
  if (ds) {
    if ((rc = expect_map(ds, "constraints.domestic_share", file, d)) != HP_OK ||
        (rc = hp_ycheck_keys(ds, share_keys, "constraints.domestic_share",
                             file, d)) != HP_OK)
      return rc;
    const hp_ynode *n;
    if ((n = hp_ymap_get(ds, "min"))) {
      if ((rc = hp_yget_number_in(n, "constraints.domestic_share.min", file,
                                  HP_NUM_FRACTION, &s->dom_min, d)) != HP_OK)
        return rc;
      s->has_dom_min = 1;
    }
    if ((n = hp_ymap_get(ds, "max"))) {
      if ((rc = hp_yget_number_in(n, "constraints.domestic_share.max", file,
                                  HP_NUM_FRACTION, &s->dom_max, d)) != HP_OK)
        return rc;
      s->has_dom_max = 1;
    }
    if ((n = hp_ymap_get(ds, "basis"))) {
      static const char *const bases[] = {"compute", "cards", "capex", NULL};
      int b;
      if ((rc = get_enum(n, "constraints.domestic_share.basis", file, bases,
                         &b, d)) != HP_OK)
        return rc;
      s->dom_basis = (hp_share_basis)b;
    }
    if (s->has_dom_min && s->has_dom_max && s->dom_min > s->dom_max) {
      n = hp_ymap_get(ds, "max");
      return hp_diag_set(d, HP_ERANGE, file, n->line, n->col,
                         "constraints.domestic_share.max: expected at least "
                         "min (%g), got %g",
                         s->dom_min, s->dom_max);
    }
  }
  const hp_ynode *caps = hp_ymap_get(c, "caps");
  if (caps) {
    if ((rc = expect_map(caps, "constraints.caps", file, d)) != HP_OK)
      return rc;
    for (size_t i = 0; i < caps->n; i++) {
      const char *k = caps->keys[i];
      double v;
      char where[200];
      snprintf(where, sizeof where, "constraints.caps.%.100s", k);
      if ((rc = hp_yget_number_in(caps->items[i], where, file, HP_NUM_NONNEG,
                                  &v, d)) != HP_OK)
        return rc;
      int is_vendor = strncmp(k, "vendor.", 7) == 0;
      const char *key = is_vendor ? k + 7 : k;
      if (is_vendor && !vendor_known(cat, key))
        return hp_diag_set(d, HP_ENODEV, file, caps->key_line[i],
                           caps->key_col[i],
                           "constraints.caps: unknown vendor '%.100s' (vendor "
                           "names are case-sensitive, as in `hetplan "
                           "devices`)",
                           key);
      if (!is_vendor && !hp_catalog_find(cat, key))
        return unknown_device(cat, key, "constraints.caps", file,
                              caps->key_line[i], caps->key_col[i], d);
      if (add_cap(s, key, is_vendor, v) != HP_OK)
        return hp_diag_oom(d);
    }
  }
  const hp_ynode *ex = hp_ymap_get(c, "exclude_vendors");
  if (ex) {
    if (ex->kind != HP_Y_SEQ)
      return hp_diag_set(d, HP_ETYPE, file, ex->line, ex->col,
                         "constraints.exclude_vendors: expected a sequence of "
                         "vendor names, got %s",
                         hp_ykind_name(ex->kind));
    s->exclude_vendors = hp_calloc(ex->n ? ex->n : 1, sizeof(char *));
    if (!s->exclude_vendors)
      return hp_diag_oom(d);
    for (size_t i = 0; i < ex->n; i++) {
      const char *v;
      if ((rc = hp_yget_string(ex->items[i], "constraints.exclude_vendors",
                               file, &v, d)) != HP_OK)
        return rc;
      if (!vendor_known(cat, v))
        return hp_diag_set(d, HP_ENODEV, file, ex->items[i]->line,
                           ex->items[i]->col,
                           "constraints.exclude_vendors: unknown vendor "
                           "'%.100s'",
                           v);
      if (!(s->exclude_vendors[s->n_exclude_vendors++] = hp_strdup(v)))
        return hp_diag_oom(d);
    }
  }
  return HP_OK;
}

/* Applies `overrides.<id>` to a candidate. */
static int apply_override(const hp_ynode *o, const char *id, const char *file,
                          hp_candidate *c, int *mfu_set, hp_diag *d) {
  int rc;
  char where[160];
  snprintf(where, sizeof where, "overrides.%.100s", id);
  if ((rc = expect_map(o, where, file, d)) != HP_OK)
    return rc;
  for (size_t i = 0; i < o->n; i++) {
    const char *k = o->keys[i];
    char full[300];
    snprintf(full, sizeof full, "%s.%s", where, k);
    hp_figure f;
    if (strcmp(k, "mfu") == 0 || strcmp(k, "mbu") == 0) {
      double v;
      if ((rc = hp_yget_number_in(o->items[i], full, file, HP_NUM_UNIT_OPEN,
                                  &v, d)) != HP_OK)
        return rc;
      if (k[1] == 'f') {
        c->mfu = v;
        *mfu_set = 1;
      } else {
        c->mbu = v;
      }
      continue;
    }
    if (hp_figure_find(k, &f) != HP_OK) {
      static const char *allowed[HP_FIG_COUNT + 3];
      int j = 0;
      for (; j < HP_FIG_COUNT; j++)
        allowed[j] = hp_figure_key((hp_figure)j);
      allowed[j++] = "mfu";
      allowed[j++] = "mbu";
      allowed[j] = NULL;
      return hp_ycheck_keys(o, allowed, where, file, d);
    }
    double v;
    if ((rc = hp_yget_number_in(o->items[i], full, file, HP_NUM_POSITIVE, &v,
                                d)) != HP_OK)
      return rc;
    if (f == HP_FIG_cards_per_server && v != floor(v))
      return hp_diag_set(d, HP_ERANGE, file, o->items[i]->line,
                         o->items[i]->col,
                         "%s: expected a whole number of cards", full);
    c->spec.fig[f] = v;
    c->spec.conf[f] = HP_CONF_E;
  }
  return HP_OK;
}

/* Uses a probe profile for a candidate's efficiency. */
static int apply_measured(hp_candidate *c, const char *profile_path,
                          const char *dev_id, hp_diag *d) {
  hp_profile *p = NULL;
  int rc = hp_profile_load(profile_path, &p, d);
  if (rc != HP_OK)
    return rc;
  double mfu, bw_gbps;
  rc = hp_profile_efficiency(p, dev_id, &mfu, &bw_gbps, d);
  hp_profile_free(p);
  if (rc != HP_OK)
    return rc;
  c->mfu = mfu;
  if (bw_gbps > 0) {
    c->spec.fig[HP_FIG_memory_bw_tbps] = bw_gbps / 1000.0;
    c->spec.conf[HP_FIG_memory_bw_tbps] = HP_CONF_M;
  }
  c->measured = 1;
  return HP_OK;
}

static int set_from(hp_candidate *c, const char *from) {
  hp_free(c->mfu_from);
  c->mfu_from = hp_strdup(from);
  return c->mfu_from ? HP_OK : HP_ENOMEM;
}

static int bind_devices(const hp_ynode *m, const char *file,
                        const hp_catalog *cat, hp_scenario *s, double plan_mfu,
                        int has_plan_mfu, double plan_mbu, hp_diag *d) {
  const hp_ynode *dv = hp_ymap_get(m, "devices");
  int rc;
  size_t n = 0;
  const hp_device_spec **pick = NULL;
  if (!dv)
    return hp_diag_set(d, HP_EMISSING, file, s->line, s->col,
                       "scenario '%s': required key 'devices' is missing (a "
                       "list of device ids, or 'all')",
                       s->name);
  if (dv->kind == HP_Y_SCALAR && dv->plain && strcmp(dv->scalar, "all") == 0) {
    n = hp_catalog_count(cat);
    pick = hp_calloc(n ? n : 1, sizeof *pick);
    if (!pick)
      return hp_diag_oom(d);
    for (size_t i = 0; i < n; i++)
      pick[i] = hp_catalog_at(cat, i);
  } else if (dv->kind == HP_Y_SEQ) {
    if (dv->n == 0)
      return hp_diag_set(d, HP_ERANGE, file, dv->line, dv->col,
                         "devices: expected at least one device id");
    pick = hp_calloc(dv->n, sizeof *pick);
    if (!pick)
      return hp_diag_oom(d);
    for (size_t i = 0; i < dv->n; i++) {
      const char *id;
      if ((rc = hp_yget_string(dv->items[i], "devices", file, &id, d)) !=
          HP_OK)
        goto out;
      const hp_device_spec *sp = hp_catalog_find(cat, id);
      if (!sp) {
        rc = unknown_device(cat, id, "devices", file, dv->items[i]->line,
                            dv->items[i]->col, d);
        goto out;
      }
      for (size_t j = 0; j < n; j++)
        if (pick[j] == sp) {
          rc = hp_diag_set(d, HP_EDUP, file, dv->items[i]->line,
                           dv->items[i]->col,
                           "devices: '%s' is listed twice", id);
          goto out;
        }
      pick[n++] = sp;
    }
  } else {
    return hp_diag_set(d, HP_ETYPE, file, dv->line, dv->col,
                       "devices: expected a sequence of device ids or 'all', "
                       "got %s",
                       dv->kind == HP_Y_MAP ? "a mapping" : "a scalar");
  }

  const hp_ynode *ov = hp_ymap_get(m, "overrides");
  const hp_ynode *ms = hp_ymap_get(m, "measured");
  if (ov && (rc = expect_map(ov, "overrides", file, d)) != HP_OK)
    goto out;
  if (ms && (rc = expect_map(ms, "measured", file, d)) != HP_OK)
    goto out;
  for (int pass = 0; pass < 2; pass++) {
    const hp_ynode *map = pass ? ms : ov;
    for (size_t i = 0; map && i < map->n; i++) {
      if (!hp_catalog_find(cat, map->keys[i])) {
        rc = unknown_device(cat, map->keys[i], pass ? "measured" : "overrides",
                            file, map->key_line[i], map->key_col[i], d);
        goto out;
      }
    }
  }
  s->cands = hp_calloc(n ? n : 1, sizeof *s->cands);
  if (!s->cands) {
    rc = hp_diag_oom(d);
    goto out;
  }
  for (size_t i = 0; i < n; i++) {
    hp_candidate *c = &s->cands[s->n_cands];
    if (hp_device_spec_copy(&c->spec, pick[i]) != HP_OK) {
      rc = hp_diag_oom(d);
      goto out;
    }
    s->n_cands++;
    /* Efficiency precedence: override > measured > plan > device > 0.5. */
    const char *from = "default 0.5";
    c->mfu = 0.5;
    c->mbu = pick[i]->mbu > 0 ? pick[i]->mbu : plan_mbu;
    if (pick[i]->mfu > 0) {
      c->mfu = pick[i]->mfu;
      from = "device file";
    }
    if (has_plan_mfu) {
      c->mfu = plan_mfu;
      from = "plan";
    }
    const char *prof = pick[i]->measured;
    char *plan_prof = NULL;
    const hp_ynode *mp = ms ? hp_ymap_get(ms, pick[i]->id) : NULL;
    if (mp) {
      const char *rel;
      if ((rc = hp_yget_string(mp, "measured", file, &rel, d)) != HP_OK)
        goto out;
      hp_buf b;
      hp_buf_init(&b);
      const char *slash = strrchr(file, '/');
      if (rel[0] != '/' && slash)
        hp_buf_append(&b, file, (size_t)(slash - file) + 1);
      hp_buf_puts(&b, rel);
      if (hp_buf_detach(&b, &plan_prof, NULL) != HP_OK) {
        rc = hp_diag_oom(d);
        goto out;
      }
      prof = plan_prof;
    }
    if (prof) {
      rc = apply_measured(c, prof, mp ? NULL : pick[i]->measured_device, d);
      hp_free(plan_prof);
      if (rc != HP_OK)
        goto out;
      from = "measured";
    }
    int mfu_set = 0;
    const hp_ynode *o = ov ? hp_ymap_get(ov, pick[i]->id) : NULL;
    if (o && (rc = apply_override(o, pick[i]->id, file, c, &mfu_set, d)) !=
                 HP_OK)
      goto out;
    if (mfu_set)
      from = "override";
    if (set_from(c, from) != HP_OK) {
      rc = hp_diag_oom(d);
      goto out;
    }
  }
  rc = HP_OK;
out:
  hp_free(pick);
  return rc;
}

int hp_scenario_bind(const hp_ynode *m, const char *file,
                     const hp_catalog *cat, hp_scenario *out, hp_diag *d) {
  hp_scenario s;
  memset(&s, 0, sizeof s);
  int rc;
  s.line = m->line;
  s.col = m->col;
  s.gran = HP_GRAN_SERVER;
  s.pue = 1.3;
  s.years = 5;
  s.power_price_cny_per_kwh = 0.4;
  s.utilisation = 1.0;
  if (!(s.file = hp_strdup(file))) {
    rc = hp_diag_oom(d);
    goto fail;
  }
  if ((rc = hp_ycheck_keys(m, scenario_keys, "scenario", file, d)) != HP_OK)
    goto fail;
  const hp_ynode *n = hp_ymap_get(m, "name");
  const char *str;
  if (!n) {
    rc = hp_diag_set(d, HP_EMISSING, file, m->line, m->col,
                     "scenario: required key 'name' is missing");
    goto fail;
  }
  if ((rc = hp_yget_string(n, "name", file, &str, d)) != HP_OK)
    goto fail;
  if (!(s.name = hp_strdup(str))) {
    rc = hp_diag_oom(d);
    goto fail;
  }
  int e;
  static const char *const objectives[] = {"capex", "max_tokens", "tco", NULL};
  static const char *const grans[] = {"fractional", "card", "server", NULL};
  static const char *const models[] = {"flops", "roofline", NULL};
  if ((n = hp_ymap_get(m, "objective"))) {
    if ((rc = get_enum(n, "objective", file, objectives, &e, d)) != HP_OK)
      goto fail;
    s.objective = (hp_objective)e;
  }
  if ((n = hp_ymap_get(m, "granularity"))) {
    if ((rc = get_enum(n, "granularity", file, grans, &e, d)) != HP_OK)
      goto fail;
    s.gran = (hp_granularity)e;
  }
  if ((n = hp_ymap_get(m, "demand_model"))) {
    if ((rc = get_enum(n, "demand_model", file, models, &e, d)) != HP_OK)
      goto fail;
    s.demand_model = (hp_demand_model)e;
    if (s.demand_model == HP_DEMAND_ROOFLINE) {
      rc = hp_diag_set(d, HP_ENOTSUP, file, n->line, n->col,
                       "demand_model: 'roofline' is not implemented yet; use "
                       "'flops'");
      goto fail;
    }
  }
  if ((rc = bind_workload(m, file, &s, d)) != HP_OK)
    goto fail;
  if ((rc = bind_constraints(m, file, cat, &s, d)) != HP_OK)
    goto fail;
  if (s.objective == HP_OBJ_MAX_TOKENS && s.budget_cny <= 0) {
    rc = hp_diag_set(d, HP_EMISSING, file, s.line, s.col,
                     "scenario '%s': objective max_tokens needs "
                     "constraints.budget_cny",
                     s.name);
    goto fail;
  }
  double plan_mfu = 0, plan_mbu = 0.8;
  int has_plan_mfu = hp_ymap_get(m, "mfu") != NULL;
  if ((rc = opt_num(m, "mfu", NULL, file, HP_NUM_UNIT_OPEN, &plan_mfu, d)) !=
          HP_OK ||
      (rc = opt_num(m, "mbu", NULL, file, HP_NUM_UNIT_OPEN, &plan_mbu, d)) !=
          HP_OK ||
      (rc = opt_num(m, "pue", NULL, file, HP_NUM_GE1, &s.pue, d)) != HP_OK ||
      (rc = opt_num(m, "years", NULL, file, HP_NUM_POSITIVE, &s.years, d)) !=
          HP_OK ||
      (rc = opt_num(m, "power_price_cny_per_kwh", NULL, file, HP_NUM_NONNEG,
                    &s.power_price_cny_per_kwh, d)) != HP_OK ||
      (rc = opt_num(m, "utilisation", NULL, file, HP_NUM_FRACTION,
                    &s.utilisation, d)) != HP_OK ||
      (rc = opt_num(m, "token_price_cny_per_mtok", NULL, file, HP_NUM_POSITIVE,
                    &s.token_price_cny_per_mtok, d)) != HP_OK)
    goto fail;
  if ((rc = bind_devices(m, file, cat, &s, plan_mfu, has_plan_mfu, plan_mbu,
                         d)) != HP_OK)
    goto fail;
  *out = s;
  return HP_OK;
fail:
  hp_scenario_cleanup(&s);
  return rc;
}

/* ----------------------------------------------------------------------------
 * The plan file
 * ------------------------------------------------------------------------- */

static const char *const plan_keys[] = {"name", "description", "defaults",
                                        "scenarios", "uncertain", NULL};

void hp_planfile_free(hp_planfile *p) {
  if (!p)
    return;
  for (size_t i = 0; i < p->n; i++) {
    if (p->merged)
      hp_ynode_free(p->merged[i]);
    if (p->scen)
      hp_scenario_cleanup(&p->scen[i]);
  }
  hp_free(p->merged);
  hp_free(p->scen);
  hp_ynode_free(p->root);
  hp_free(p->path);
  hp_free(p->name);
  hp_free(p);
}

/* Binds every merged tree into a fresh array; *out set only on success. */
static int bind_all(hp_planfile *p, hp_scenario **out, hp_diag *d) {
  hp_scenario *sc = hp_calloc(p->n ? p->n : 1, sizeof *sc);
  if (!sc)
    return hp_diag_oom(d);
  int rc = HP_OK;
  size_t i = 0;
  for (; i < p->n; i++) {
    if ((rc = hp_scenario_bind(p->merged[i], p->path, p->cat, &sc[i], d)) !=
        HP_OK)
      break;
    for (size_t j = 0; j < i; j++)
      if (strcmp(sc[j].name, sc[i].name) == 0) {
        const hp_ynode *nn = hp_ymap_get(p->merged[i], "name");
        rc = hp_diag_set(d, HP_EDUP, p->path, nn->line, nn->col,
                         "scenario name '%s' is used twice", sc[i].name);
        i++;
        goto done;
      }
  }
done:
  if (rc != HP_OK) {
    for (size_t j = 0; j < i && j < p->n; j++)
      hp_scenario_cleanup(&sc[j]);
    hp_free(sc);
    return rc;
  }
  *out = sc;
  return HP_OK;
}

int hp_planfile_parse(const char *text, size_t len, const char *name,
                      const hp_catalog *cat, hp_planfile **out, hp_diag *d) {
  hp_planfile *p = hp_calloc(1, sizeof *p);
  int rc;
  if (!p)
    return hp_diag_oom(d);
  p->cat = cat;
  if (!(p->path = hp_strdup(name))) {
    rc = hp_diag_oom(d);
    goto fail;
  }
  if ((rc = hp_yaml_parse(text, len, name, &p->root, d)) != HP_OK)
    goto fail;
  const hp_ynode *r = p->root;
  if (r->kind != HP_Y_MAP) {
    rc = hp_diag_set(d, HP_ETYPE, name, r->line, r->col,
                     "expected a plan mapping (name, defaults, scenarios), "
                     "got %s",
                     hp_ykind_name(r->kind));
    goto fail;
  }
  if ((rc = hp_ycheck_keys(r, plan_keys, "plan", name, d)) != HP_OK)
    goto fail;
  const hp_ynode *nm = hp_ymap_get(r, "name");
  const char *s;
  if (!nm) {
    rc = hp_diag_set(d, HP_EMISSING, name, r->line, r->col,
                     "plan: required key 'name' is missing");
    goto fail;
  }
  if ((rc = hp_yget_string(nm, "name", name, &s, d)) != HP_OK)
    goto fail;
  if (!(p->name = hp_strdup(s))) {
    rc = hp_diag_oom(d);
    goto fail;
  }
  const hp_ynode *defs = hp_ymap_get(r, "defaults");
  if (defs && (rc = expect_map(defs, "defaults", name, d)) != HP_OK)
    goto fail;
  const hp_ynode *sc = hp_ymap_get(r, "scenarios");
  if (!sc) {
    rc = hp_diag_set(d, HP_EMISSING, name, r->line, r->col,
                     "plan: required key 'scenarios' is missing (a sequence "
                     "of scenarios, each with a name)");
    goto fail;
  }
  if (sc->kind != HP_Y_SEQ || sc->n == 0) {
    rc = hp_diag_set(d, HP_ETYPE, name, sc->line, sc->col,
                     "scenarios: expected a non-empty sequence of scenario "
                     "mappings, got %s",
                     sc->kind == HP_Y_SEQ ? "an empty sequence"
                                          : hp_ykind_name(sc->kind));
    goto fail;
  }
  if (sc->n > HP_MAX_SCENARIOS) {
    rc = hp_diag_set(d, HP_ELIMIT, name, sc->line, sc->col,
                     "scenarios: %zu scenarios, more than the limit of %d "
                     "(HP_MAX_SCENARIOS)",
                     sc->n, HP_MAX_SCENARIOS);
    goto fail;
  }
  p->merged = hp_calloc(sc->n, sizeof *p->merged);
  if (!p->merged) {
    rc = hp_diag_oom(d);
    goto fail;
  }
  p->n = sc->n;
  for (size_t i = 0; i < sc->n; i++) {
    const hp_ynode *e = sc->items[i];
    if ((rc = expect_map(e, "scenarios[]", name, d)) != HP_OK)
      goto fail;
    hp_ynode *m = defs ? hp_ynode_clone(defs)
                       : hp_ynode_new(HP_Y_MAP, NULL, e->line, e->col);
    if (!m) {
      rc = hp_diag_oom(d);
      goto fail;
    }
    p->merged[i] = m;
    m->line = e->line;
    m->col = e->col;
    if (merge_into(m, e) != HP_OK) {
      rc = hp_diag_oom(d);
      goto fail;
    }
  }
  if ((rc = bind_all(p, &p->scen, d)) != HP_OK)
    goto fail;
  *out = p;
  return HP_OK;
fail:
  hp_planfile_free(p);
  return rc;
}

int hp_planfile_load(const char *path, const hp_catalog *cat,
                     hp_planfile **out, hp_diag *d) {
  char *text;
  size_t len;
  int rc = hp_read_file(path, HP_YAML_MAX_BYTES, &text, &len, d);
  if (rc != HP_OK)
    return rc;
  rc = hp_planfile_parse(text, len, path, cat, out, d);
  hp_free(text);
  return rc;
}

const char *hp_planfile_name(const hp_planfile *p) { return p->name; }
const hp_ynode *hp_planfile_uncertain(const hp_planfile *p) {
  return hp_ymap_get(p->root, "uncertain");
}
const char *hp_planfile_path(const hp_planfile *p) { return p->path; }
size_t hp_planfile_count(const hp_planfile *p) { return p->n; }
const char *hp_planfile_scenario_name(const hp_planfile *p, size_t i) {
  return i < p->n ? p->scen[i].name : NULL;
}
const hp_scenario *hp_planfile_scenario(const hp_planfile *p, size_t i) {
  return i < p->n ? &p->scen[i] : NULL;
}

/* ----------------------------------------------------------------------------
 * Numeric edits by path (sweeps, Monte Carlo)
 * ------------------------------------------------------------------------- */

/* Sets path to a number scalar in tree m, creating maps on the way. A path
 * segment "vendor" under "caps" joins the next one ("vendor.NVIDIA"). */
static int set_path(hp_ynode *m, const char *path, double v, hp_diag *d) {
  char buf[512];
  if (strlen(path) >= sizeof buf)
    return hp_diag_set(d, HP_EINVAL, NULL, 0, 0, "path too long: '%.100s'",
                       path);
  memcpy(buf, path, strlen(path) + 1);
  hp_ynode *cur = m;
  char *save = NULL;
  char *seg = strtok_r(buf, ".", &save);
  const char *prev = NULL;
  while (seg) {
    char *next = strtok_r(NULL, ".", &save);
    char joined[300];
    if (prev && strcmp(prev, "caps") == 0 && strcmp(seg, "vendor") == 0 &&
        next) {
      snprintf(joined, sizeof joined, "vendor.%s", next);
      seg = joined;
      next = strtok_r(NULL, ".", &save);
    }
    if (cur->kind != HP_Y_MAP)
      return hp_diag_set(d, HP_ETYPE, NULL, 0, 0,
                         "path '%s': '%s' is inside %s, not a mapping", path,
                         seg, hp_ykind_name(cur->kind));
    hp_ynode *child = (hp_ynode *)hp_ymap_get(cur, seg);
    if (!next) {
      char num[40];
      hp_ynode *val = hp_ynode_new(HP_Y_SCALAR,
                                   hp_format_number(v, num, sizeof num), 0, 0);
      if (!val || hp_ymap_set(cur, seg, val, 0, 0) != HP_OK) {
        hp_ynode_free(val);
        return hp_diag_oom(d);
      }
      return HP_OK;
    }
    if (!child) {
      child = hp_ynode_new(HP_Y_MAP, NULL, 0, 0);
      if (!child || hp_ymap_set(cur, seg, child, 0, 0) != HP_OK) {
        hp_ynode_free(child);
        return hp_diag_oom(d);
      }
    }
    prev = seg == joined ? "vendor" : seg;
    cur = child;
    seg = next;
  }
  return hp_diag_set(d, HP_EINVAL, NULL, 0, 0, "empty path");
}

int hp_planfile_set_number(hp_planfile *p, const char *path, double value,
                           hp_diag *d) {
  hp_ynode **copies = hp_calloc(p->n, sizeof *copies);
  int rc = HP_OK;
  if (!copies)
    return hp_diag_oom(d);
  for (size_t i = 0; i < p->n; i++) {
    if (!(copies[i] = hp_ynode_clone(p->merged[i]))) {
      rc = hp_diag_oom(d);
      goto out;
    }
    if ((rc = set_path(copies[i], path, value, d)) != HP_OK)
      goto out;
  }
  hp_ynode **old = p->merged;
  p->merged = copies;
  hp_scenario *sc;
  if ((rc = bind_all(p, &sc, d)) != HP_OK) {
    p->merged = old;
    if (d) {
      char msg[HP_DIAG_MSG_MAX];
      snprintf(msg, sizeof msg, "%s", d->msg);
      hp_diag_set(d, rc, p->path, 0, 0, "setting '%s': %s", path, msg);
    }
    goto out;
  }
  for (size_t i = 0; i < p->n; i++) {
    hp_ynode_free(old[i]);
    hp_scenario_cleanup(&p->scen[i]);
  }
  hp_free(old);
  hp_free(p->scen);
  p->scen = sc;
  return HP_OK;
out:
  for (size_t i = 0; i < p->n; i++)
    hp_ynode_free(copies[i]);
  hp_free(copies);
  return rc;
}
