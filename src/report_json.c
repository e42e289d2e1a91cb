/* report_json.c - JSON renderers, written with jansson (libjansson-dev).
 *
 * jansson escapes strings, writes reals with 17 significant digits (so they
 * read back exactly) and uses '.' whatever the process locale. Every numeric
 * key carries its unit in its name (capex_cny, tokens_per_s, power_mw).
 */
#include <jansson.h>
#include <math.h>
#include <string.h>

#include "catalog.h"
#include "mem.h"
#include "report.h"

/* json_object_set_new that remembers failure instead of leaking. */
static void put(json_t *o, const char *k, json_t *v, int *bad) {
  if (!v || json_object_set_new(o, k, v) != 0)
    *bad = 1;
}

/* A scenario without a plan (infeasible, error) bought nothing: its
 * purchase figures are null, not 0. */
static json_t *bought(const hp_scenario_result *r, double v) {
  return r->status == HP_RESULT_OPTIMAL ? json_real(v) : json_null();
}

/* Services (issue 21): "services": {rent_cny_per_hour, pools, splits}. */
static void services_json(const hp_scenario_result *r, json_t *o, int *bad) {
  if (r->n_services == 0)
    return;
  json_t *sv = json_object(), *ps = json_array(), *ss = json_array();
  if (!sv || !ps || !ss) {
    json_decref(sv);
    json_decref(ps);
    json_decref(ss);
    *bad = 1;
    return;
  }
  put(sv, "count", json_integer((json_int_t)r->n_services), bad);
  put(sv, "rent_cny_per_hour", json_real(r->rent_cny_per_hour), bad);
  for (size_t i = 0; i < r->n_pools; i++) {
    const hp_plan_pool *p = &r->pools[i];
    json_t *x = json_object();
    if (!x || json_array_append_new(ps, x) != 0) {
      *bad = 1;
      break;
    }
    put(x, "device", json_string(p->device), bad);
    put(x, "role", json_string(p->role), bad);
    put(x, "servers", json_real(p->servers), bad);
    put(x, "cards", json_real(p->cards), bad);
    put(x, "capex_cny", json_real(p->capex_cny), bad);
    put(x, "rent_cny_per_hour", json_real(p->rent_cny_per_hour), bad);
    put(x, "busy", json_real(p->busy), bad);
    put(x, "kv_bytes_per_s", json_real(p->kv_bytes_s), bad);
    put(x, "network_bytes_per_s", json_real(p->network_bytes_s), bad);
    put(x, "network_utilisation", json_real(p->network_use), bad);
  }
  for (size_t i = 0; i < r->n_splits; i++) {
    const hp_plan_split *p = &r->splits[i];
    json_t *x = json_object();
    if (!x || json_array_append_new(ss, x) != 0) {
      *bad = 1;
      break;
    }
    put(x, "service", json_string(p->service), bad);
    put(x, "request_class", json_string(p->request_class), bad);
    put(x, "phase", json_string(p->phase), bad);
    put(x, "device", json_string(p->device), bad);
    put(x, "fraction", json_real(p->fraction), bad);
    put(x, "servers", json_real(p->servers), bad);
    put(x, "tokens_per_s", json_real(p->tokens_per_s), bad);
    put(x, "tokens_per_s_per_server", json_real(p->tokens_per_s_per_server),
        bad);
    put(x, "figure", json_string(p->measured ? "measured" : "modelled"), bad);
    put(x, "source", p->source ? json_string(p->source) : json_null(), bad);
  }
  put(sv, "pools", ps, bad);
  put(sv, "splits", ss, bad);
  put(o, "services", sv, bad);
}

static json_t *scenario_json(const hp_scenario_result *r) {
  int bad = 0;
  json_t *o = json_object();
  if (!o)
    return NULL;
  put(o, "name", json_string(r->name), &bad);
  /* "optimal" only when proven; a plan not proven is "feasible", with
   * the words every other format prints in status_text and its gap. */
  char word[96];
  int unproven = r->status == HP_RESULT_OPTIMAL && !hp_result_proven(r);
  put(o, "status",
      json_string(unproven ? "feasible" : hp_result_status_name(r->status)),
      &bad);
  if (unproven)
    put(o, "status_text",
        json_string(hp_result_status_word(r, word, sizeof word)), &bad);
  put(o, "granularity", json_string(r->granularity), &bad);
  put(o, "objective", json_string(r->objective), &bad);
  put(o, "demand_model", json_string(r->demand_model), &bad);
  put(o, "capex_cny", bought(r, r->capex_cny), &bad);
  put(o, "cards", bought(r, r->cards), &bad);
  put(o, "servers", bought(r, r->servers), &bad);
  put(o, "domestic_share", bought(r, r->domestic_share_compute), &bad);
  json_t *sh = json_object();
  if (sh) {
    put(sh, "compute", bought(r, r->domestic_share_compute), &bad);
    put(sh, "cards", bought(r, r->domestic_share_cards), &bad);
    put(sh, "capex", bought(r, r->domestic_share_capex), &bad);
  }
  put(o, "domestic_shares", sh, &bad);
  json_t *dm = json_object();
  if (dm) {
    put(dm, "tokens_per_s", json_real(r->demand_tokens_per_s), &bad);
    put(dm, "flops", json_real(r->demand_flops), &bad);
    put(dm, "required_tokens_per_s", json_real(r->required_tokens_per_s), &bad);
    put(dm, "tokens_per_day", json_real(r->tokens_per_day), &bad);
    put(dm, "seconds_per_day", json_real(r->seconds_per_day), &bad);
    put(dm, "peak_factor", json_real(r->peak_factor), &bad);
  }
  put(o, "demand", dm, &bad);
  put(o, "delivered_tokens_per_s", bought(r, r->delivered_tokens_per_s), &bad);
  put(o, "power_mw", bought(r, r->power_mw), &bad);
  put(o, "opex_cny_per_year", bought(r, r->opex_cny_per_year), &bad);
  put(o, "years", json_real(r->years), &bad);
  put(o, "tco_cny", bought(r, r->tco_cny), &bad);
  put(o, "cost_per_mtok_cny", bought(r, r->cost_per_mtok_cny), &bad);
  if (strcmp(r->objective, "max_tokens") == 0) {
    put(o, "sustained_tokens_per_day", bought(r, r->sustained_tokens_per_day),
        &bad);
    if (r->tokens_per_day > 0)
      put(o, "sustained_over_workload", bought(r, r->sustained_over_workload),
          &bad);
  }
  if (r->token_price_per_mtok_cny > 0) {
    put(o, "token_price_per_mtok_cny", json_real(r->token_price_per_mtok_cny),
        &bad);
    put(o, "margin", bought(r, r->margin), &bad);
  }
  if (r->mip_gap > 0) {
    put(o, "mip_gap", json_real(r->mip_gap), &bad);
    if (r->status == HP_RESULT_OPTIMAL)
      put(o, "within_gap", json_boolean(r->within_gap), &bad);
  }
  if (r->node_limited && r->status == HP_RESULT_OPTIMAL) {
    put(o, "node_limit", json_integer((json_int_t)r->node_limit), &bad);
    put(o, "node_limited", json_true(), &bad);
  }
  if (r->repaired && r->status == HP_RESULT_OPTIMAL)
    put(o, "repaired", json_true(), &bad);
  if (unproven)
    put(o, "gap", isfinite(r->gap) ? json_real(r->gap) : json_null(), &bad);
  put(o, "explanation",
      r->explanation ? json_string(r->explanation) : json_null(), &bad);
  json_t *ws = json_array(); /* market warnings (issue 20) */
  for (size_t i = 0; ws && i < r->n_warnings; i++)
    if (json_array_append_new(ws, json_string(r->warnings[i])) != 0)
      bad = 1;
  put(o, "warnings", ws, &bad);
  json_t *vs = json_array();
  for (size_t i = 0; vs && i < r->n_vendors; i++) {
    const hp_plan_vendor *v = &r->vendors[i];
    json_t *x = json_object();
    if (!x) {
      bad = 1;
      break;
    }
    put(x, "vendor", json_string(v->vendor), &bad);
    put(x, "domestic", json_boolean(v->domestic), &bad);
    put(x, "cards", json_real(v->cards), &bad);
    put(x, "servers", json_real(v->servers), &bad);
    put(x, "capex_cny", json_real(v->capex_cny), &bad);
    put(x, "tokens_per_s", json_real(v->tokens_per_s), &bad);
    put(x, "power_kw", json_real(v->power_kw), &bad);
    if (json_array_append_new(vs, x) != 0)
      bad = 1;
  }
  put(o, "vendors", vs, &bad);
  json_t *ls = json_array();
  for (size_t i = 0; ls && i < r->n_lines; i++) {
    const hp_plan_line *l = &r->lines[i];
    json_t *x = json_object();
    if (!x) {
      bad = 1;
      break;
    }
    put(x, "device", json_string(l->device), &bad);
    put(x, "vendor", json_string(l->vendor), &bad);
    put(x, "domestic", json_boolean(l->domestic), &bad);
    put(x, "cards", json_real(l->cards), &bad);
    put(x, "servers", json_real(l->servers), &bad);
    put(x, "capex_cny", json_real(l->capex_cny), &bad);
    put(x, "tokens_per_s", json_real(l->tokens_per_s), &bad);
    put(x, "tokens_per_s_per_server", json_real(l->tokens_per_s_per_server),
        &bad);
    put(x, "power_kw", json_real(l->power_kw), &bad);
    put(x, "measured", json_boolean(l->measured), &bad);
    if (l->note)
      put(x, "note", json_string(l->note), &bad);
    if (json_array_append_new(ls, x) != 0)
      bad = 1;
  }
  put(o, "lines", ls, &bad);
  if (strcmp(r->demand_model, "roofline") == 0) {
    json_t *as = json_array();
    for (size_t i = 0; as && i < r->n_assigns; i++) {
      const hp_plan_assign *a = &r->assigns[i];
      json_t *x = json_object();
      if (!x) {
        bad = 1;
        break;
      }
      put(x, "request_class", json_string(a->request_class), &bad);
      put(x, "device", json_string(a->device), &bad);
      put(x, "servers", json_real(a->servers), &bad);
      put(x, "tokens_per_s", json_real(a->tokens_per_s), &bad);
      put(x, "tokens_per_s_per_server", json_real(a->tokens_per_s_per_server),
          &bad);
      put(x, "tp", json_integer(a->tp), &bad);
      put(x, "batch", json_integer(a->batch), &bad);
      put(x, "bound", json_string(a->memory_bound ? "memory" : "compute"),
          &bad);
      put(x, "ttft_ms", json_real(a->ttft_ms), &bad);
      put(x, "tpot_ms", json_real(a->tpot_ms), &bad);
      put(x, "cards", json_real(a->cards), &bad);
      put(x, "capex_cny", json_real(a->capex_cny), &bad);
      put(x, "power_kw", json_real(a->power_kw), &bad);
      if (json_array_append_new(as, x) != 0)
        bad = 1;
    }
    put(o, "assignments", as, &bad);
  }
  services_json(r, o, &bad);
  if (r->compare) {
    json_t *c = scenario_json(r->compare);
    put(o, "compare", c, &bad);
    if (r->compare_ratio > 0) {
      put(o, "compare_ratio", json_real(r->compare_ratio), &bad);
      put(o, "compare_off", json_real(r->compare_off), &bad);
    }
  }
  if (bad) {
    json_decref(o);
    return NULL;
  }
  return o;
}

/* jansson allocates through the library's hooks too, so fault injection
 * reaches it. */
static void use_hp_alloc(void) { json_set_alloc_funcs(hp_malloc, hp_free); }

/* jansson writes straight into our buffer. Its json_dumps builds its own
 * string and, in 2.14, ignores a failed append while writing an object
 * key (dump.c), which under memory pressure yields a report with a key
 * cut short; hp_buf's failure is sticky, so this way a failed append
 * anywhere fails the whole report (tests/test_fault.c found it). */
static int dump_cb(const char *buffer, size_t size, void *data) {
  hp_buf *b = data;
  hp_buf_append(b, buffer, size);
  return b->oom ? -1 : 0;
}

static int dump(json_t *root, hp_buf *b) {
  if (!root)
    return HP_ENOMEM;
  int rc = json_dump_callback(root, dump_cb, b,
                              JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                                  JSON_REAL_PRECISION(17));
  json_decref(root);
  if (rc != 0 || b->oom)
    return HP_ENOMEM;
  hp_buf_putc(b, '\n');
  return b->oom ? HP_ENOMEM : HP_OK;
}

int hp_report_json(const hp_plan *p, hp_buf *b) {
  int bad = 0;
  use_hp_alloc();
  json_t *root = json_object();
  json_t *arr = json_array();
  if (!root || !arr) {
    json_decref(root);
    json_decref(arr);
    return HP_ENOMEM;
  }
  put(root, "plan", json_string(hp_plan_name(p)), &bad);
  for (size_t i = 0; i < hp_plan_count(p); i++) {
    json_t *s = scenario_json(hp_plan_at(p, i));
    if (!s || json_array_append_new(arr, s) != 0)
      bad = 1;
  }
  put(root, "scenarios", arr, &bad);
  if (bad) {
    json_decref(root);
    return HP_ENOMEM;
  }
  size_t from = b->len;
  int rc = dump(root, b);
  /* jansson leaves DEL and C1 controls raw in strings (buf.h). */
  return rc == HP_OK ? hp_buf_json_guard(b, from) : rc;
}

/* A card as a JSON object: its figures by key (as before), "confidence"
 * (the letter per figure), "sources" ({value, unit, conf, ref} per figure),
 * "market" ({china, as_of, ref}, null when the file gives none) and
 * "price_as_of". `full` adds the file, notes and efficiency defaults. */
static json_t *device_json(const hp_device_spec *s, int full) {
  int bad = 0;
  json_t *o = json_object();
  if (!o)
    return NULL;
  put(o, "id", json_string(s->id), &bad);
  put(o, "vendor", json_string(s->vendor), &bad);
  put(o, "name", json_string(s->name), &bad);
  put(o, "domestic", json_boolean(s->domestic), &bad);
  put(o, "opencl", json_boolean(s->opencl), &bad);
  json_t *conf = json_object(), *src = json_object();
  for (int f = 0; f < HP_FIG_COUNT; f++) {
    if (s->fig[f] <= 0)
      continue;
    const char *k = hp_figure_key((hp_figure)f);
    put(o, k, json_real(s->fig[f]), &bad);
    if (conf)
      put(conf, k, json_string(hp_catalog_conf_name(s->conf[f])), &bad);
    json_t *e = json_object();
    if (e) {
      put(e, "value", json_real(s->fig[f]), &bad);
      put(e, "unit", json_string(hp_figure_unit((hp_figure)f)), &bad);
      put(e, "conf", json_string(hp_catalog_conf_name(s->conf[f])), &bad);
      put(e, "ref", s->src[f] ? json_string(s->src[f]) : json_null(), &bad);
    }
    if (src)
      put(src, k, e, &bad);
    else
      json_decref(e);
  }
  put(o, "confidence", conf, &bad);
  put(o, "sources", src, &bad);
  json_t *m = json_null();
  if (s->market_china != HP_MARKET_UNKNOWN && (m = json_object())) {
    put(m, "china", json_string(hp_market_name(s->market_china)), &bad);
    put(m, "as_of",
        s->market_as_of ? json_string(s->market_as_of) : json_null(), &bad);
    put(m, "ref", s->market_ref ? json_string(s->market_ref) : json_null(),
        &bad);
  }
  put(o, "market", m, &bad);
  put(o, "price_as_of",
      s->price_as_of ? json_string(s->price_as_of) : json_null(), &bad);
  if (full) {
    put(o, "file", s->path ? json_string(s->path) : json_null(), &bad);
    put(o, "notes", s->notes ? json_string(s->notes) : json_null(), &bad);
    put(o, "mfu", s->mfu > 0 ? json_real(s->mfu) : json_null(), &bad);
    put(o, "mbu", s->mbu > 0 ? json_real(s->mbu) : json_null(), &bad);
    put(o, "measured", s->measured ? json_string(s->measured) : json_null(),
        &bad);
  }
  if (bad) {
    json_decref(o);
    return NULL;
  }
  return o;
}

int hp_report_json_catalog(const hp_catalog *c, hp_buf *b) {
  int bad = 0;
  use_hp_alloc();
  json_t *root = json_object();
  json_t *arr = json_array();
  if (!root || !arr) {
    json_decref(root);
    json_decref(arr);
    return HP_ENOMEM;
  }
  for (size_t i = 0; i < hp_catalog_count(c); i++) {
    json_t *o = device_json(hp_catalog_at(c, i), 0);
    if (!o || json_array_append_new(arr, o) != 0) {
      bad = 1;
      break;
    }
  }
  put(root, "devices", arr, &bad);
  if (bad) {
    json_decref(root);
    return HP_ENOMEM;
  }
  return dump(root, b);
}

int hp_report_json_device(const hp_device_spec *s, hp_buf *b) {
  use_hp_alloc();
  json_t *o = device_json(s, 1);
  if (!o)
    return HP_ENOMEM;
  return dump(o, b);
}
