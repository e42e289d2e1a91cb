/* scenario_set.c - a bound scenario copied, and a figure of it set by its
 * plan key without binding the plan again (sweeps, Monte Carlo).
 *
 * hp_scenario_set knows the keys whose figure is one field of the bound
 * scenario (and what the binder derives from it); for any other key, and
 * for a value it cannot vouch for, it answers HP_ENOTSUP and the caller
 * binds the plan anew (hp_planfile_set_number), whose binder then judges
 * the value and words the error. So a value is never accepted here that
 * the binder would refuse, and every message stays the binder's.
 * No I/O: no plan, model or profile file is read.
 */
#include <math.h>
#include <stddef.h>
#include <string.h>

#include "mem.h"
#include "scenario.h"

/* ----------------------------------------------------------------------------
 * Copies
 * ------------------------------------------------------------------------- */

/* A copy of s (hp_strdup of NULL is NULL). */
static int dup_str(char **dst, const char *src) {
  *dst = NULL;
  return !src || (*dst = hp_strdup(src)) ? HP_OK : HP_ENOMEM;
}

int hp_scenario_copy(hp_scenario *dst, const hp_scenario *src) {
  hp_scenario s = *src;
  s.name = s.file = s.model.name = s.model.file = NULL;
  s.classes = NULL;
  s.cands = NULL;
  s.caps = NULL;
  s.exclude_vendors = NULL;
  s.n_classes = s.n_cands = s.n_caps = s.n_exclude_vendors = 0;
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
};
#undef F

int hp_scenario_settable(const char *key) {
  for (size_t i = 0; i < sizeof direct / sizeof direct[0]; i++)
    if (strcmp(key, direct[i].key) == 0)
      return 1;
  return strncmp(key, "constraints.caps.", 17) == 0 && key[17] != '\0';
}

int hp_scenario_set(hp_scenario *s, const char *key, double v, hp_diag *d) {
  (void)d; /* the binder words every refusal: see the file's header */
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

/* The scalar at a dotted key in merged tree m, or NULL; "caps.vendor.X"
 * is one segment, as hp_planfile_set_number reads it. */
static const hp_ynode *scalar_at(const hp_ynode *m, const char *key) {
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
    cur = hp_ymap_get(cur, seg);
    prev = seg;
    seg = dot ? dot + 1 : NULL;
  }
  return cur && cur->kind == HP_Y_SCALAR ? cur : NULL;
}

int hp_planfile_settable(const hp_planfile *p, const char *key) {
  if (!hp_scenario_settable(key))
    return 0;
  for (size_t i = 0; i < p->n; i++)
    if (!scalar_at(p->merged[i], key))
      return 0;
  return 1;
}
