/* scenario_services.c - the plan loader's services keys (issue 21):
 * `services:` (several models, each with its volume and request classes,
 * colocated or disaggregated), `throughput:` (measured rows, inline or in
 * a file), constraints.min_servers_per_sku / max_skus and objective rent's
 * prices. Binds into hp_scenario (model.h); never prints.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "catalog.h"
#include "mem.h"
#include "scenario.h"
#include "status.h"

static void free_service(hp_service *v) {
  hp_free(v->name);
  hp_free(v->model.name);
  hp_free(v->model.file);
  for (size_t i = 0; i < v->n_classes; i++)
    hp_free(v->classes[i].name);
  hp_free(v->classes);
}

void hp_scenario_services_cleanup(hp_scenario *s) {
  for (size_t i = 0; i < s->n_services; i++)
    free_service(&s->services[i]);
  hp_free(s->services);
  for (size_t i = 0; i < s->n_tput; i++)
    hp_free(s->tput[i].source);
  hp_free(s->tput);
  hp_free(s->tput_file);
  s->services = NULL;
  s->tput = NULL;
  s->tput_file = NULL;
  s->n_services = s->n_tput = 0;
}

int hp_scenario_services_bind_orders(const hp_ynode *c, const char *file,
                                     hp_scenario *s, hp_diag *d) {
  static const char *const keys[] = {"min_servers_per_sku", "max_skus"};
  double *out[] = {&s->min_servers_per_sku, &s->max_skus};
  for (int i = 0; i < 2; i++) {
    const hp_ynode *n = hp_yaml_map_get(c, keys[i]);
    char full[64];
    double v;
    int rc;
    if (!n)
      continue;
    snprintf(full, sizeof full, "constraints.%s", keys[i]);
    if ((rc = hp_yaml_get_number(n, full, file, &v, d)) != HP_OK)
      return rc;
    if (!(v >= 1) || v != floor(v) || v > 1e9)
      return hp_diag_set(d, HP_ERANGE, file, n->line, n->col,
                         "%s: expected a whole number of %s from 1 to 1e9, "
                         "got %g",
                         full, i ? "SKUs" : "servers", v);
    *out[i] = v;
  }
  return HP_OK;
}

static const char *const service_keys[] = {"name",
                                           "model",
                                           "model_file",
                                           "tokens_per_day",
                                           "users",
                                           "tokens_per_user_per_day",
                                           "requests_per_s",
                                           "seconds_per_day",
                                           "peak_factor",
                                           "requests",
                                           "slo",
                                           "serving",
                                           NULL};

/* One entry of `services:` into v. */
static int bind_service(const hp_ynode *e, size_t idx, const char *file,
                        const hp_catalog *cat, hp_scenario *s, hp_service *v,
                        hp_diag *d) {
  char where[64];
  int rc;
  snprintf(where, sizeof where, "services[%zu]", idx);
  if (e->kind != HP_Y_MAP)
    return hp_diag_set(d, HP_ETYPE, file, e->line, e->col,
                       "%s: expected a mapping {name, model, tokens_per_day "
                       "or requests_per_s, ...}, got %s",
                       where, hp_yaml_kind_name(e->kind));
  if ((rc = hp_yaml_check_keys(e, service_keys, where, file, d)) != HP_OK)
    return rc;
  v->line = e->line;
  v->col = e->col;
  const hp_ynode *nm = hp_yaml_map_get(e, "name");
  const char *str;
  if (!nm)
    return hp_diag_set(d, HP_EMISSING, file, e->line, e->col,
                       "%s: required key 'name' is missing", where);
  if ((rc = hp_yaml_get_string(nm, "services.name", file, &str, d)) != HP_OK)
    return rc;
  for (size_t i = 0; i < idx; i++)
    if (strcmp(s->services[i].name, str) == 0)
      return hp_diag_set(d, HP_EDUP, file, nm->line, nm->col,
                         "services: name '%.100s' is used twice (also at "
                         "line %d)",
                         str, s->services[i].line);
  if (!(v->name = hp_strdup(str)))
    return hp_diag_oom(d);
  const hp_ynode *sv = hp_yaml_map_get(e, "serving");
  if (sv) {
    if ((rc = hp_yaml_get_string(sv, "services.serving", file, &str, d)) !=
        HP_OK)
      return rc;
    if (strcmp(str, "colocated") == 0)
      v->serving = HP_SERVING_COLOCATED;
    else if (strcmp(str, "disaggregated") == 0)
      v->serving = HP_SERVING_DISAGGREGATED;
    else
      return hp_diag_set(d, HP_ERANGE, file, sv->line, sv->col,
                         "%s.serving: expected one of colocated, "
                         "disaggregated, got '%.100s'",
                         where, str);
  }
  /* The workload binder, on a scratch scenario: same keys, same checks. */
  hp_scenario t;
  memset(&t, 0, sizeof t);
  t.name = s->name;
  t.line = e->line;
  t.col = e->col;
  rc = hp_scenario_bind_volume(e, file, cat, &t, d);
  v->model = t.model;
  v->classes = t.classes;
  v->n_classes = t.n_classes;
  v->tokens_per_day = t.tokens_per_day;
  v->requests_per_s = t.requests_per_s;
  v->seconds_per_day = t.seconds_per_day;
  v->peak_factor = t.peak_factor;
  if (rc != HP_OK)
    return rc;
  if (s->demand_model == HP_DEMAND_ROOFLINE && !v->model.has_arch)
    return hp_diag_set(d, HP_EMISSING, file, e->line, e->col,
                       "%s: demand_model roofline needs the model's "
                       "architecture (name a models/ file, e.g. model: "
                       "{name: llama-3-70b})",
                       where);
  if (s->demand_model == HP_DEMAND_ROOFLINE && v->n_classes == 0)
    return hp_diag_set(d, HP_EMISSING, file, e->line, e->col,
                       "%s: demand_model roofline needs requests (request "
                       "classes with input_tokens and output_tokens)",
                       where);
  if (v->serving == HP_SERVING_DISAGGREGATED && v->n_classes == 0)
    return hp_diag_set(d, HP_EMISSING, file, sv->line, sv->col,
                       "%s: serving disaggregated needs requests (input and "
                       "output tokens split the load into prefill and "
                       "decode)",
                       where);
  if (v->n_classes == 0) {
    /* One class named after the service; its load is counted in tokens. */
    if (!(v->classes = hp_calloc(1, sizeof *v->classes)) ||
        !(v->classes[0].name = hp_strdup(v->name)))
      return hp_diag_oom(d);
    v->n_classes = 1;
    v->classes[0].share = 1;
  }
  return HP_OK;
}

static long find_service(const hp_scenario *s, const char *name) {
  for (size_t i = 0; i < s->n_services; i++)
    if (strcmp(s->services[i].name, name) == 0)
      return (long)i;
  return -1;
}

static const char *const row_keys[] = {"service", "class",          "device",
                                       "phase",   "tokens_per_s",   "per",
                                       "source",  "requests_per_s", NULL};

/* One throughput row. */
static int bind_row(const hp_ynode *e, size_t idx, const char *file,
                    const hp_catalog *cat, hp_scenario *s, hp_tput_row *r,
                    hp_diag *d) {
  char where[64];
  const char *str;
  int rc;
  snprintf(where, sizeof where, "throughput[%zu]", idx);
  if (e->kind != HP_Y_MAP)
    return hp_diag_set(d, HP_ETYPE, file, e->line, e->col,
                       "%s: expected a mapping {service, class, device, "
                       "tokens_per_s or requests_per_s, source}, got %s",
                       where, hp_yaml_kind_name(e->kind));
  if ((rc = hp_yaml_check_keys(e, row_keys, where, file, d)) != HP_OK)
    return rc;
  r->file = file;
  r->line = e->line;
  r->col = e->col;
  static const char *const need[] = {"service", "device", "source"};
  for (int i = 0; i < 3; i++)
    if (!hp_yaml_map_get(e, need[i]))
      return hp_diag_set(d, HP_EMISSING, file, e->line, e->col,
                         "%s: required key '%s' is missing", where, need[i]);
  const hp_ynode *n = hp_yaml_map_get(e, "service");
  if ((rc = hp_yaml_get_string(n, "throughput.service", file, &str, d)) !=
      HP_OK)
    return rc;
  long sv = find_service(s, str);
  if (sv < 0)
    return hp_diag_set(d, HP_ENOTFOUND, file, n->line, n->col,
                       "%s.service: unknown service '%.100s' (not in the "
                       "scenario's services)",
                       where, str);
  const hp_service *v = &s->services[sv];
  r->service = (size_t)sv;
  n = hp_yaml_map_get(e, "class");
  if (n) {
    if ((rc = hp_yaml_get_string(n, "throughput.class", file, &str, d)) !=
        HP_OK)
      return rc;
    size_t k = 0;
    while (k < v->n_classes && strcmp(v->classes[k].name, str) != 0)
      k++;
    if (k == v->n_classes)
      return hp_diag_set(d, HP_ENOTFOUND, file, n->line, n->col,
                         "%s.class: service '%s' has no request class "
                         "'%.100s'",
                         where, v->name, str);
    r->cls = k;
  } else if (v->n_classes > 1) {
    return hp_diag_set(d, HP_EMISSING, file, e->line, e->col,
                       "%s: service '%s' has %zu request classes: name one "
                       "with class",
                       where, v->name, v->n_classes);
  }
  n = hp_yaml_map_get(e, "device");
  if ((rc = hp_yaml_get_string(n, "throughput.device", file, &str, d)) != HP_OK)
    return rc;
  size_t c = 0;
  while (c < s->n_cands && strcmp(s->cands[c].spec.id, str) != 0)
    c++;
  if (c == s->n_cands) {
    const char *sug =
        hp_catalog_find(cat, str) ? NULL : hp_catalog_suggest(cat, str);
    if (hp_catalog_find(cat, str))
      return hp_diag_set(d, HP_ENODEV, file, n->line, n->col,
                         "%s.device: '%.100s' is not among the scenario's "
                         "devices",
                         where, str);
    if (sug)
      return hp_diag_set(d, HP_ENODEV, file, n->line, n->col,
                         "%s.device: unknown device '%.100s' (did you mean "
                         "'%s'?)",
                         where, str, sug);
    return hp_diag_set(d, HP_ENODEV, file, n->line, n->col,
                       "%s.device: unknown device '%.100s' (see `hetplan "
                       "devices`)",
                       where, str);
  }
  r->cand = c;
  n = hp_yaml_map_get(e, "phase");
  if (n) {
    if ((rc = hp_yaml_get_string(n, "throughput.phase", file, &str, d)) !=
        HP_OK)
      return rc;
    if (v->serving != HP_SERVING_DISAGGREGATED)
      return hp_diag_set(d, HP_EINVAL, file, n->line, n->col,
                         "%s.phase: service '%s' is colocated (serving: "
                         "disaggregated splits prefill and decode)",
                         where, v->name);
    if (strcmp(str, "prefill") == 0)
      r->phase = HP_PHASE_PREFILL;
    else if (strcmp(str, "decode") == 0)
      r->phase = HP_PHASE_DECODE;
    else
      return hp_diag_set(d, HP_ERANGE, file, n->line, n->col,
                         "%s.phase: expected prefill or decode, got '%.100s'",
                         where, str);
  } else if (v->serving == HP_SERVING_DISAGGREGATED) {
    return hp_diag_set(d, HP_EMISSING, file, e->line, e->col,
                       "%s: service '%s' is disaggregated: give phase "
                       "(prefill or decode)",
                       where, v->name);
  }
  const hp_ynode *tk = hp_yaml_map_get(e, "tokens_per_s");
  const hp_ynode *rq = hp_yaml_map_get(e, "requests_per_s");
  if (!tk == !rq)
    return hp_diag_set(d, tk ? HP_EDUP : HP_EMISSING, file,
                       tk ? rq->line : e->line, tk ? rq->col : e->col,
                       "%s: give exactly one of tokens_per_s and "
                       "requests_per_s (per server)",
                       where);
  n = tk ? tk : rq;
  double val;
  if ((rc = hp_yaml_get_number(
           n, tk ? "throughput.tokens_per_s" : "throughput.requests_per_s",
           file, &val, d)) != HP_OK)
    return rc;
  if (!(val > 0) || !isfinite(val))
    return hp_diag_set(d, HP_ERANGE, file, n->line, n->col,
                       "%s.%s: expected a number > 0 (per server), got %g",
                       where, tk ? "tokens_per_s" : "requests_per_s", val);
  const hp_request_class *k = &v->classes[r->cls];
  if (rq && k->input_tokens + k->output_tokens <= 0)
    return hp_diag_set(d, HP_EINVAL, file, n->line, n->col,
                       "%s.requests_per_s: service '%s' gives no requests "
                       "(tokens per request): give tokens_per_s",
                       where, v->name);
  const hp_ynode *per = hp_yaml_map_get(e, "per");
  double scale = 1;
  if (per) {
    if ((rc = hp_yaml_get_string(per, "throughput.per", file, &str, d)) !=
        HP_OK)
      return rc;
    if (strcmp(str, "card") == 0)
      scale = s->cands[c].spec.fig[HP_FIG_cards_per_server];
    else if (strcmp(str, "server") != 0)
      return hp_diag_set(d, HP_ERANGE, file, per->line, per->col,
                         "%s.per: expected server or card, got '%.100s'", where,
                         str);
  }
  if (tk)
    r->tokens_per_s = val * scale;
  else
    r->requests_per_s = val * scale;
  n = hp_yaml_map_get(e, "source");
  if ((rc = hp_yaml_get_string(n, "throughput.source", file, &str, d)) != HP_OK)
    return rc;
  if (!*str)
    return hp_diag_set(d, HP_EMISSING, file, n->line, n->col,
                       "%s.source: expected the text of where the figure "
                       "was measured, got an empty string",
                       where);
  if (!(r->source = hp_strdup(str)))
    return hp_diag_oom(d);
  for (size_t i = 0; i < s->n_tput; i++) {
    const hp_tput_row *o = &s->tput[i];
    if (o->service == r->service && o->cls == r->cls && o->cand == r->cand &&
        o->phase == r->phase)
      return hp_diag_set(d, HP_EDUP, file, e->line, e->col,
                         "%s: a second row for service '%s', class '%s', "
                         "device %s%s%s (the first is at %s:%d)",
                         where, v->name, k->name, s->cands[c].spec.id,
                         r->phase ? ", phase " : "",
                         r->phase ? hp_model_phase_name(r->phase) : "", o->file,
                         o->line);
  }
  return HP_OK;
}

static int bind_rows(const hp_ynode *list, const char *file,
                     const hp_catalog *cat, hp_scenario *s, hp_diag *d) {
  if (list->kind != HP_Y_SEQ)
    return hp_diag_set(d, HP_ETYPE, file, list->line, list->col,
                       "throughput: expected a sequence of rows {service, "
                       "class, device, tokens_per_s or requests_per_s, "
                       "source} or {file: PATH}, got %s",
                       hp_yaml_kind_name(list->kind));
  s->tput = hp_calloc(list->n ? list->n : 1, sizeof *s->tput);
  if (!s->tput)
    return hp_diag_oom(d);
  for (size_t i = 0; i < list->n; i++) {
    hp_tput_row r;
    memset(&r, 0, sizeof r);
    int rc = bind_row(list->items[i], i, file, cat, s, &r, d);
    if (rc != HP_OK) {
      hp_free(r.source);
      return rc;
    }
    s->tput[s->n_tput++] = r;
  }
  return HP_OK;
}

static int bind_throughput(const hp_ynode *m, const char *file,
                           const hp_catalog *cat, hp_scenario *s, hp_diag *d) {
  const hp_ynode *tp = hp_yaml_map_get(m, "throughput");
  int rc;
  if (!tp)
    return HP_OK;
  if (!s->n_services)
    return hp_diag_set(d, HP_EINVAL, file, tp->line, tp->col,
                       "throughput: rows name services; the scenario has "
                       "no services");
  if (tp->kind != HP_Y_MAP)
    return bind_rows(tp, file, cat, s, d);
  static const char *const keys[] = {"file", NULL};
  const char *rel;
  if ((rc = hp_yaml_check_keys(tp, keys, "throughput", file, d)) != HP_OK)
    return rc;
  const hp_ynode *f = hp_yaml_map_get(tp, "file");
  if (!f)
    return hp_diag_set(d, HP_EMISSING, file, tp->line, tp->col,
                       "throughput: expected a list of rows or {file: PATH}");
  if ((rc = hp_yaml_get_string(f, "throughput.file", file, &rel, d)) != HP_OK)
    return rc;
  if (!(s->tput_file = hp_catalog_resolve_path(file, rel)))
    return hp_diag_oom(d);
  FILE *fp = fopen(s->tput_file, "rb");
  if (!fp)
    return hp_diag_set(d, HP_ENOTFOUND, file, f->line, f->col,
                       "throughput.file: cannot open '%.300s'", s->tput_file);
  fclose(fp);
  hp_ynode *doc = NULL;
  if ((rc = hp_yaml_load_file(s->tput_file, &doc, d)) != HP_OK)
    return rc;
  rc = bind_rows(doc, s->tput_file, cat, s, d);
  hp_yaml_node_free(doc);
  return rc;
}

/* objective rent: a candidate without price_hour_cny is no candidate. */
static int check_rent(const hp_ynode *m, const char *file, hp_scenario *s,
                      hp_diag *d) {
  if (s->objective != HP_OBJ_RENT)
    return HP_OK;
  size_t k = 0;
  for (size_t i = 0; i < s->n_cands; i++)
    k += s->cands[i].spec.price_hour_cny > 0;
  if (k == 0) {
    const hp_ynode *o = hp_yaml_map_get(m, "objective");
    return hp_diag_set(d, HP_EMISSING, file, o ? o->line : s->line,
                       o ? o->col : s->col,
                       "objective rent: no candidate has price_hour_cny (CNY "
                       "per server-hour; in devices/*.yaml or overrides)");
  }
  return HP_OK;
}

/* A `workload:` is one service, named after its model (or "workload"):
 * made so when the scenario asks for what only the services program has
 * (measured rows, minimum orders, max SKUs, rent). Plans without those
 * keys keep the per-SKU program and its answers. */
static int workload_as_service(hp_scenario *s) {
  hp_service *v = hp_calloc(1, sizeof *v);
  if (!v)
    return HP_ENOMEM;
  s->services = v;
  s->n_services = 1;
  v->model = s->model;
  v->model.name = NULL;
  v->model.file = NULL;
  v->tokens_per_day = s->tokens_per_day;
  v->requests_per_s = s->requests_per_s;
  v->seconds_per_day = s->seconds_per_day;
  v->peak_factor = s->peak_factor;
  v->line = s->line;
  v->col = s->col;
  if (!(v->name = hp_strdup(s->model.name ? s->model.name : "workload")) ||
      (s->model.name && !(v->model.name = hp_strdup(s->model.name))) ||
      (s->model.file && !(v->model.file = hp_strdup(s->model.file))))
    return HP_ENOMEM;
  size_t n = s->n_classes ? s->n_classes : 1;
  if (!(v->classes = hp_calloc(n, sizeof *v->classes)))
    return HP_ENOMEM;
  for (size_t i = 0; i < s->n_classes; i++) {
    v->classes[i] = s->classes[i];
    v->classes[i].name = NULL;
    v->n_classes++;
    if (!(v->classes[i].name = hp_strdup(s->classes[i].name)))
      return HP_ENOMEM;
  }
  if (!s->n_classes) {
    v->n_classes = 1;
    v->classes[0].share = 1;
    if (!(v->classes[0].name = hp_strdup(v->name)))
      return HP_ENOMEM;
  }
  return HP_OK;
}

int hp_scenario_services_bind(const hp_ynode *m, const char *file,
                              const hp_catalog *cat, hp_scenario *s,
                              hp_diag *d) {
  const hp_ynode *sv = hp_yaml_map_get(m, "services");
  int rc;
  if (sv) {
    if (sv->kind != HP_Y_SEQ || sv->n == 0)
      return hp_diag_set(d, HP_ETYPE, file, sv->line, sv->col,
                         "services: expected a non-empty sequence of "
                         "services ({name, model, tokens_per_day or "
                         "requests_per_s, ...}), got %s",
                         sv->kind == HP_Y_SEQ ? "an empty sequence"
                                              : hp_yaml_kind_name(sv->kind));
    if (s->objective == HP_OBJ_MAX_TOKENS)
      return hp_diag_set(d, HP_EINVAL, file, sv->line, sv->col,
                         "services: objective max_tokens is for one "
                         "workload; use capex, tco or rent");
    if (!(s->services = hp_calloc(sv->n, sizeof *s->services)))
      return hp_diag_oom(d);
    double peak = 0, tpd = 0;
    for (size_t i = 0; i < sv->n; i++) {
      hp_service *v = &s->services[i];
      rc = bind_service(sv->items[i], i, file, cat, s, v, d);
      s->n_services++; /* owns what was bound, even on failure */
      if (rc != HP_OK)
        return rc;
      tpd += v->tokens_per_day / v->seconds_per_day * 86400.0;
      peak += v->tokens_per_day / v->seconds_per_day * v->peak_factor;
    }
    /* The fleet's volume, as one workload: tokens/day over a 86,400 s day
     * and the peak factor that gives the sum of the services' peaks. */
    s->has_workload = 1;
    s->tokens_per_day = tpd;
    s->seconds_per_day = 86400;
    s->peak_factor = tpd > 0 ? peak / (tpd / 86400.0) : 1;
  }
  if (!sv && s->has_workload && s->objective != HP_OBJ_MAX_TOKENS &&
      (s->min_servers_per_sku > 0 || s->max_skus > 0 ||
       s->objective == HP_OBJ_RENT || hp_yaml_map_get(m, "throughput")) &&
      workload_as_service(s) != HP_OK)
    return hp_diag_oom(d);
  if ((rc = bind_throughput(m, file, cat, s, d)) != HP_OK ||
      (rc = check_rent(m, file, s, d)) != HP_OK)
    return rc;
  if (!s->n_services && s->objective == HP_OBJ_RENT) {
    const hp_ynode *o = hp_yaml_map_get(m, "objective");
    return hp_diag_set(d, HP_EINVAL, file, o->line, o->col,
                       "objective rent: there is no workload to serve");
  }
  if (!s->n_services && (s->min_servers_per_sku > 0 || s->max_skus > 0)) {
    const hp_ynode *c = hp_yaml_map_get(m, "constraints");
    const hp_ynode *n = hp_yaml_map_get(c, "max_skus");
    if (!n)
      n = hp_yaml_map_get(c, "min_servers_per_sku");
    return hp_diag_set(d, HP_EINVAL, file, n->line, n->col,
                       "constraints: min_servers_per_sku and max_skus size "
                       "a workload or services; objective max_tokens has "
                       "neither");
  }
  return HP_OK;
}
