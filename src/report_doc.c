/* report_doc.c - the sheets of a workbook or HTML report (report_doc.h): six
 * for plans, batches, sweeps and Monte Carlo runs, four for a plan with
 * periods.
 *
 * Lays out finished results as tables: every column has its unit in the
 * header; a cell is a number, a text or empty (a scenario that bought
 * nothing has empty purchase cells, not zeros). Layout: building blocks,
 * then the sheets of plans (plan, batch), then those of a sweep or a Monte
 * Carlo table, then those of a plan with periods, then hp_report_doc_build.
 */
#include "report_doc.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "catalog.h"
#include "mem.h"
#include "numfmt.h"
#include "periods.h"
#include "scenario.h"

/* ----------------------------------------------------------------------------
 * Building blocks
 * ------------------------------------------------------------------------- */

typedef struct bld {
  hp_doc_table *t;
  hp_doc_cell *row; /* the row being filled */
  size_t col;       /* its next cell */
  int oom;
} bld;

static hp_doc_table *table_new(hp_doc_sheet *sh, const char *title,
                               const char *const *head, const hp_col_fmt *fmt,
                               size_t n) {
  hp_doc_table *t = &sh->tables[sh->n_tables++];
  snprintf(t->title, sizeof t->title, "%s", title);
  t->n_cols = n;
  /* The table keeps its own copy of the headers, so that callers build
   * them in buffers of their own (several documents at once, on several
   * threads, never share one). */
  size_t len = 1;
  for (size_t i = 0; i < n; i++)
    len += strlen(head[i]) + 1;
  char *p = t->head_text = hp_malloc(len);
  for (size_t i = 0; i < n; i++) {
    size_t k = strlen(head[i]) + 1;
    if (p) {
      memcpy(p, head[i], k);
      t->head[i] = p;
      p += k;
    } else {
      t->head[i] = "";
    }
    t->fmt[i] = fmt[i];
  }
  return t;
}

static void row(bld *b, hp_doc_table *t) {
  b->t = t;
  b->col = 0;
  b->row = NULL;
  if (b->oom)
    return;
  if (t->n_rows == t->cap) {
    size_t cap = t->cap ? 2 * t->cap : 16;
    void *p = hp_realloc(t->cells, cap * t->n_cols * sizeof *t->cells);
    if (!p) {
      b->oom = 1;
      return;
    }
    t->cells = p;
    t->cap = cap;
  }
  b->row = &t->cells[t->n_rows * t->n_cols];
  memset(b->row, 0, t->n_cols * sizeof *b->row);
  t->n_rows++;
}

static void num(bld *b, double v) {
  if (b->row && b->col < b->t->n_cols && isfinite(v)) {
    b->row[b->col].kind = 1;
    b->row[b->col].v = v;
  }
  b->col++;
}

static void txt(bld *b, const char *s) {
  if (b->row && b->col < b->t->n_cols && s) {
    if (!(b->row[b->col].s = hp_strdup(s)))
      b->oom = 1;
    else
      b->row[b->col].kind = 2;
  }
  b->col++;
}

static void skip(bld *b) { b->col++; }

/* A purchase figure: empty when the scenario bought nothing. */
static void bought(bld *b, const hp_scenario_result *r, double v) {
  if (r->status == HP_RESULT_OPTIMAL)
    num(b, v);
  else
    skip(b);
}

/* ----------------------------------------------------------------------------
 * Plans (plan, batch)
 * ------------------------------------------------------------------------- */

/* A scenario's rows in the two Summary tables: what it buys (t) and what
 * it costs (c). */
static void summary_row(bld *b, hp_doc_table *t, hp_doc_table *c,
                        const char *plan, const hp_scenario_result *r,
                        const char *label) {
  char word[96];
  row(b, t);
  txt(b, plan);
  txt(b, label ? label : r->name);
  txt(b, hp_result_status_word(r, word, sizeof word));
  txt(b, r->demand_model);
  txt(b, r->objective);
  bought(b, r, r->cards);
  bought(b, r, r->servers);
  bought(b, r, r->capex_cny);
  bought(b, r, r->delivered_tokens_per_s);
  num(b, r->demand_tokens_per_s);
  bought(b, r, r->power_mw * 1000.0);
  txt(b, r->explanation);
  row(b, c);
  txt(b, plan);
  txt(b, label ? label : r->name);
  bought(b, r, r->opex_cny_per_year);
  num(b, r->years);
  bought(b, r, r->tco_cny);
  bought(b, r, r->cost_per_mtok_cny);
  if (r->token_price_per_mtok_cny > 0) {
    num(b, r->token_price_per_mtok_cny);
    bought(b, r, r->margin);
  } else {
    skip(b);
    skip(b);
  }
  bought(b, r, r->domestic_share_compute);
  bought(b, r, r->domestic_share_cards);
  bought(b, r, r->domestic_share_capex);
}

static const char *const sum_head[] = {"plan",
                                       "scenario",
                                       "status",
                                       "demand model",
                                       "objective",
                                       "cards",
                                       "servers",
                                       "capex (CNY)",
                                       "delivered (tokens/s)",
                                       "demand (tokens/s)",
                                       "power (kW)",
                                       "explanation"};
static const hp_col_fmt sum_fmt[] = {HP_COL_TEXT, HP_COL_TEXT, HP_COL_TEXT,
                                     HP_COL_TEXT, HP_COL_TEXT, HP_COL_SIG,
                                     HP_COL_SIG,  HP_COL_DEC2, HP_COL_INT,
                                     HP_COL_INT,  HP_COL_DEC1, HP_COL_TEXT};
static const char *const cost_head[] = {"plan",
                                        "scenario",
                                        "opex (CNY/year)",
                                        "TCO horizon (years)",
                                        "TCO (CNY)",
                                        "cost (CNY per million tokens)",
                                        "token price (CNY per million tokens)",
                                        "margin (%)",
                                        "domestic share of tokens/s (%)",
                                        "domestic share of cards (%)",
                                        "domestic share of capex (%)"};
static const hp_col_fmt cost_fmt[] = {
    HP_COL_TEXT, HP_COL_TEXT, HP_COL_INT, HP_COL_SIG, HP_COL_INT, HP_COL_SIG,
    HP_COL_SIG,  HP_COL_PCT,  HP_COL_PCT, HP_COL_PCT, HP_COL_PCT};

/* Every vendor bought anywhere in the document, in order of appearance;
 * at most HP_DOC_MAX_COLS - 1 (the mix table's columns). */
typedef struct vendor_set {
  const char *name[HP_DOC_MAX_COLS - 1];
  size_t n;
} vendor_set;

static size_t vendor_slot(vendor_set *vs, const char *v) {
  for (size_t i = 0; i < vs->n; i++)
    if (strcmp(vs->name[i], v) == 0)
      return i;
  if (vs->n == HP_DOC_MAX_COLS - 1)
    return (size_t)-1;
  vs->name[vs->n] = v;
  return vs->n++;
}

/* A table of one figure by vendor, a column per vendor of vs after the
 * category column, drawn as stacked columns: the vendor mix of plans, the
 * fleet of a schedule. */
typedef struct by_vendor {
  const char *title;  /* the table's */
  const char *first;  /* the category column's header */
  const char *figure; /* after the vendor's name in its column's header */
  hp_col_fmt fmt;     /* of the vendor columns */
  const char *chart_title, *x_title, *y_title;
} by_vendor;

static hp_doc_table *vendor_table(hp_doc_sheet *sh, const vendor_set *vs,
                                  const by_vendor *spec) {
  char vh[HP_DOC_MAX_COLS][160];
  const char *head[HP_DOC_MAX_COLS];
  hp_col_fmt fmt[HP_DOC_MAX_COLS];
  head[0] = spec->first;
  fmt[0] = HP_COL_TEXT;
  for (size_t k = 0; k < vs->n; k++) {
    snprintf(vh[k], sizeof vh[k], "%s %s", vs->name[k], spec->figure);
    head[k + 1] = vh[k];
    fmt[k + 1] = spec->fmt;
  }
  hp_doc_table *t = table_new(sh, spec->title, head, fmt, vs->n + 1);
  t->chart = HP_DOC_CHART_STACKED;
  t->first_series = 1;
  t->last_series = vs->n;
  snprintf(t->chart_title, sizeof t->chart_title, "%s", spec->chart_title);
  snprintf(t->x_title, sizeof t->x_title, "%s", spec->x_title);
  snprintf(t->y_title, sizeof t->y_title, "%s", spec->y_title);
  return t;
}

/* The Assumptions and Sources tables, on sheets as and src (*at, *st set
 * to them when not NULL). */
static void inputs_tables(hp_doc_sheet *as, hp_doc_sheet *src,
                          hp_doc_table **at, hp_doc_table **st) {
  static const char *const ah[] = {"plan",  "scenario", "input",
                                   "value", "unit",     "from"};
  static const hp_col_fmt af[] = {HP_COL_TEXT, HP_COL_TEXT, HP_COL_TEXT,
                                  HP_COL_SIG,  HP_COL_TEXT, HP_COL_TEXT};
  static const char *const sh[] = {"card",      "vendor",       "figure",
                                   "value",     "unit",         "confidence",
                                   "reference", "prices as of", "file"};
  static const hp_col_fmt sf[] = {HP_COL_TEXT, HP_COL_TEXT, HP_COL_TEXT,
                                  HP_COL_SIG,  HP_COL_TEXT, HP_COL_TEXT,
                                  HP_COL_TEXT, HP_COL_TEXT, HP_COL_TEXT};
  hp_doc_table *a = table_new(as, "Inputs that shaped the answer", ah, af, 6);
  hp_doc_table *s = table_new(src, "Card figures used", sh, sf, 9);
  if (at)
    *at = a;
  if (st)
    *st = s;
}

/* The rows of one result (and of its --compare-models twin) in the
 * Vendors, SKUs and Classes tables. */
static void result_rows(bld *b, hp_doc_sheets *s, const char *plan,
                        const hp_scenario_result *r, const char *label) {
  if (r->status != HP_RESULT_OPTIMAL)
    return;
  hp_doc_table *v = &s->sheet[1].tables[0], *k = &s->sheet[2].tables[0],
               *c = &s->sheet[3].tables[0];
  for (size_t i = 0; i < r->n_vendors; i++) {
    const hp_plan_vendor *x = &r->vendors[i];
    row(b, v);
    txt(b, plan);
    txt(b, label);
    txt(b, x->vendor);
    txt(b, x->domestic ? "yes" : "no");
    num(b, x->cards);
    num(b, x->servers);
    num(b, x->capex_cny);
    num(b, x->tokens_per_s);
    num(b, x->power_kw);
  }
  for (size_t i = 0; i < r->n_lines; i++) {
    const hp_plan_line *x = &r->lines[i];
    row(b, k);
    txt(b, plan);
    txt(b, label);
    txt(b, x->device);
    txt(b, x->vendor);
    txt(b, x->domestic ? "yes" : "no");
    num(b, x->cards);
    num(b, x->servers);
    num(b, x->capex_cny);
    num(b, x->tokens_per_s);
    num(b, x->tokens_per_s_per_server);
    num(b, x->power_kw);
    txt(b, x->measured ? "yes" : "no");
    txt(b, x->note);
  }
  for (size_t i = 0; i < r->n_assigns; i++) {
    const hp_plan_assign *a = &r->assigns[i];
    row(b, c);
    txt(b, plan);
    txt(b, label);
    txt(b, a->request_class);
    txt(b, a->device);
    num(b, a->servers);
    num(b, a->cards);
    num(b, a->capex_cny);
    num(b, a->tokens_per_s);
    num(b, a->tokens_per_s_per_server);
    num(b, a->tp);
    num(b, a->batch);
    txt(b, a->memory_bound ? "memory" : "compute");
    num(b, a->ttft_ms);
    num(b, a->tpot_ms);
    num(b, a->power_kw);
  }
}

/* One input of a scenario in the Assumptions table. */
static void input(bld *b, hp_doc_table *t, const char *plan,
                  const hp_scenario *sc, const char *key, double v,
                  const char *text, const char *unit, const char *from) {
  row(b, t);
  txt(b, plan);
  txt(b, sc ? sc->name : "");
  txt(b, key);
  if (text) {
    txt(b, text);
  } else {
    num(b, v);
  }
  txt(b, unit);
  txt(b, from);
}

static void assumptions(bld *b, hp_doc_table *t, const char *plan,
                        const hp_scenario *sc) {
  const char *f = sc->file ? sc->file : "";
  const char *mf = sc->model.file ? sc->model.file : f;
  char buf[160];
  if (sc->model.name)
    input(b, t, plan, sc, "workload.model", 0, sc->model.name, "", mf);
  input(b, t, plan, sc, "model parameters", sc->model.params, NULL,
        "parameters", mf);
  input(b, t, plan, sc, "model active parameters", sc->model.active_params,
        NULL, "parameters per token", mf);
  if (sc->has_workload) {
    input(b, t, plan, sc, "workload.tokens_per_day", sc->tokens_per_day, NULL,
          "tokens/day", f);
    input(b, t, plan, sc, "workload.seconds_per_day", sc->seconds_per_day, NULL,
          "s/day", f);
    input(b, t, plan, sc, "workload.peak_factor", sc->peak_factor, NULL,
          "peak / average", f);
  }
  input(b, t, plan, sc, "demand_model", 0,
        hp_model_demand_model_name(sc->demand_model), "", f);
  input(b, t, plan, sc, "granularity", 0, hp_model_granularity_name(sc->gran),
        "", f);
  input(b, t, plan, sc, "objective", 0, hp_model_objective_name(sc->objective),
        "", f);
  input(b, t, plan, sc, "constraints.headroom", sc->headroom, NULL, "fraction",
        f);
  if (sc->has_dom_min)
    input(b, t, plan, sc, "constraints.domestic_share.min", sc->dom_min, NULL,
          hp_model_basis_name(sc->dom_basis), f);
  if (sc->has_dom_max)
    input(b, t, plan, sc, "constraints.domestic_share.max", sc->dom_max, NULL,
          hp_model_basis_name(sc->dom_basis), f);
  if (sc->power_mw > 0)
    input(b, t, plan, sc, "constraints.power_mw", sc->power_mw * 1000.0, NULL,
          "kW", f);
  if (sc->budget_cny > 0)
    input(b, t, plan, sc, "constraints.budget_cny", sc->budget_cny, NULL, "CNY",
          f);
  if (sc->max_vendor_share > 0)
    input(b, t, plan, sc, "constraints.max_vendor_share", sc->max_vendor_share,
          NULL, "fraction of tokens/s", f);
  for (size_t i = 0; i < sc->n_caps; i++) {
    snprintf(buf, sizeof buf, "constraints.caps.%s%s",
             sc->caps[i].is_vendor ? "vendor." : "", sc->caps[i].key);
    input(b, t, plan, sc, buf, sc->caps[i].cards, NULL, "cards", f);
  }
  for (size_t i = 0; i < sc->n_exclude_vendors; i++)
    input(b, t, plan, sc, "constraints.exclude_vendors", 0,
          sc->exclude_vendors[i], "vendor", f);
  input(b, t, plan, sc, "costs.pue", sc->pue, NULL, "facility / IT power", f);
  input(b, t, plan, sc, "costs.years", sc->years, NULL, "years", f);
  input(b, t, plan, sc, "costs.power_price_cny_per_kwh",
        sc->power_price_cny_per_kwh, NULL, "CNY/kWh", f);
  input(b, t, plan, sc, "costs.utilisation", sc->utilisation, NULL,
        "average draw / TDP", f);
  if (sc->token_price_cny_per_mtok > 0)
    input(b, t, plan, sc, "token_price_cny_per_mtok",
          sc->token_price_cny_per_mtok, NULL, "CNY per million tokens", f);
  for (size_t i = 0; i < sc->n_classes; i++) {
    const hp_request_class *c = &sc->classes[i];
    snprintf(buf, sizeof buf, "requests.%s.share", c->name);
    input(b, t, plan, sc, buf, c->share, NULL, "fraction of requests", f);
    snprintf(buf, sizeof buf, "requests.%s.input_tokens", c->name);
    input(b, t, plan, sc, buf, c->input_tokens, NULL, "tokens", f);
    snprintf(buf, sizeof buf, "requests.%s.output_tokens", c->name);
    input(b, t, plan, sc, buf, c->output_tokens, NULL, "tokens", f);
    if (c->ttft_ms > 0) {
      snprintf(buf, sizeof buf, "requests.%s.ttft_ms", c->name);
      input(b, t, plan, sc, buf, c->ttft_ms, NULL, "ms", f);
    }
    if (c->tpot_ms > 0) {
      snprintf(buf, sizeof buf, "requests.%s.tpot_ms", c->name);
      input(b, t, plan, sc, buf, c->tpot_ms, NULL, "ms", f);
    }
  }
  for (size_t i = 0; i < sc->n_cands; i++) {
    const hp_candidate *c = &sc->cands[i];
    snprintf(buf, sizeof buf, "devices.%s.mfu", c->spec.id);
    input(b, t, plan, sc, buf, c->mfu, NULL,
          c->mfu_from ? c->mfu_from : "model FLOPs utilisation",
          c->measured && c->spec.measured ? c->spec.measured : f);
  }
}

/* Every figure of every card a scenario could buy, once per (card,
 * figure, value): an override in one plan is a row of its own. */
static void sources(bld *b, hp_doc_table *t, const hp_scenario *sc) {
  for (size_t i = 0; i < sc->n_cands; i++) {
    const hp_device_spec *s = &sc->cands[i].spec;
    for (int f = 0; f < HP_FIG_COUNT; f++) {
      if (s->fig[f] <= 0)
        continue;
      int seen = 0;
      for (size_t r = 0; r < t->n_rows && !seen; r++) {
        const hp_doc_cell *c = &t->cells[r * t->n_cols];
        seen = c[0].s && strcmp(c[0].s, s->id) == 0 && c[2].s &&
               strcmp(c[2].s, hp_figure_key((hp_figure)f)) == 0 &&
               c[3].v == s->fig[f];
      }
      if (seen)
        continue;
      row(b, t);
      txt(b, s->id);
      txt(b, s->vendor);
      txt(b, hp_figure_key((hp_figure)f));
      num(b, s->fig[f]);
      txt(b, hp_figure_unit((hp_figure)f));
      txt(b, hp_catalog_conf_name(s->conf[f]));
      txt(b, s->src[f]);
      txt(b, s->price_as_of);
      txt(b, s->path);
    }
  }
}

static void plan_sheets(bld *b, const hp_doc *doc, hp_doc_sheets *s,
                        int with_summary) {
  hp_doc_table *sum = with_summary ? &s->sheet[0].tables[0] : NULL;
  hp_doc_table *cost = with_summary ? &s->sheet[0].tables[1] : NULL;
  hp_doc_table *as = &s->sheet[4].tables[0], *src = &s->sheet[5].tables[0];
  vendor_set vs = {{0}, 0};
  for (size_t i = 0; i < doc->n_plans; i++) {
    const hp_doc_plan *p = &doc->plans[i];
    const char *plan = p->plan ? hp_plan_name(p->plan) : p->path;
    if (!p->plan) {
      if (sum) {
        row(b, sum);
        txt(b, p->path);
        skip(b);
        txt(b, "not solved");
        for (int k = 3; k < 11; k++)
          skip(b);
        txt(b, p->diag ? p->diag->msg : "the plan did not load");
      }
      continue;
    }
    for (size_t j = 0; j < hp_plan_count(p->plan); j++) {
      const hp_scenario_result *r = hp_plan_at(p->plan, j);
      char label[400];
      if (sum)
        summary_row(b, sum, cost, plan, r, NULL);
      result_rows(b, s, plan, r, r->name);
      for (size_t k = 0; k < r->n_vendors; k++)
        vendor_slot(&vs, r->vendors[k].vendor);
      if (r->compare) {
        snprintf(label, sizeof label, "%s (%s model)", r->name,
                 r->compare->demand_model);
        if (sum)
          summary_row(b, sum, cost, plan, r->compare, label);
        result_rows(b, s, plan, r->compare, label);
      }
    }
    if (p->pf)
      for (size_t j = 0; j < hp_planfile_count(p->pf); j++) {
        const hp_scenario *sc = hp_planfile_scenario(p->pf, j);
        assumptions(b, as, plan, sc);
        sources(b, src, sc);
      }
  }
  /* The vendor mix: capex by vendor per scenario, for the chart. */
  static const by_vendor capex_mix = {
      .title = "Capex by vendor (CNY)",
      .first = "scenario",
      .figure = "capex (CNY)",
      .fmt = HP_COL_DEC2,
      .chart_title = "Vendor mix: capex by vendor per scenario",
      .x_title = "scenario",
      .y_title = "capex (CNY)"};
  if (vs.n == 0)
    return;
  hp_doc_table *mix = vendor_table(&s->sheet[1], &vs, &capex_mix);
  for (size_t i = 0; i < doc->n_plans; i++) {
    const hp_plan *pl = doc->plans[i].plan;
    for (size_t j = 0; pl && j < hp_plan_count(pl); j++) {
      const hp_scenario_result *r = hp_plan_at(pl, j);
      char label[400];
      snprintf(label, sizeof label, "%s%s%s",
               doc->n_plans > 1 ? hp_plan_name(pl) : "",
               doc->n_plans > 1 ? " / " : "", r->name);
      row(b, mix);
      txt(b, label);
      for (size_t k = 0; k < vs.n; k++) {
        double v = 0;
        for (size_t m = 0; m < r->n_vendors; m++)
          if (strcmp(r->vendors[m].vendor, vs.name[k]) == 0)
            v = r->vendors[m].capex_cny;
        if (r->status == HP_RESULT_OPTIMAL)
          num(b, v);
        else
          skip(b);
      }
    }
  }
}

/* ----------------------------------------------------------------------------
 * Sweep and Monte Carlo
 * ------------------------------------------------------------------------- */

static void table_rows(bld *b, const hp_doc *doc, hp_doc_sheets *s);

static void table_sheets(bld *b, const hp_doc *doc, hp_doc_sheets *s) {
  table_rows(b, doc, s);
  /* The summaries and the chart first, the long table of rows last. */
  hp_doc_sheet *sh = &s->sheet[0];
  if (sh->n_tables > 1) {
    hp_doc_table first = sh->tables[0];
    memmove(&sh->tables[0], &sh->tables[1], (sh->n_tables - 1) * sizeof first);
    sh->tables[sh->n_tables - 1] = first;
  }
}

static void table_rows(bld *b, const hp_doc *doc, hp_doc_sheets *s) {
  const hp_wi_table *t = doc->table;
  int mc = t->kind == HP_WI_MONTECARLO;
  const char *head[HP_DOC_MAX_COLS];
  hp_col_fmt fmt[HP_DOC_MAX_COLS];
  char kh[HP_WI_MAX_KEYS][200];
  size_t n = 0;
  head[n] = mc ? "sample" : "point";
  fmt[n++] = HP_COL_INT;
  for (size_t k = 0; k < t->n_keys && k < HP_WI_MAX_KEYS; k++) {
    const char *unit = hp_wi_key_unit(t->keys[k]);
    const char *last = strrchr(t->keys[k], '.');
    if (strcmp(last ? last + 1 : t->keys[k], unit) == 0)
      snprintf(kh[k], sizeof kh[k], "%s", t->keys[k]); /* not "years (years)" */
    else
      snprintf(kh[k], sizeof kh[k], "%s (%s)", t->keys[k], unit);
    head[n] = kh[k];
    fmt[n++] = HP_COL_SIG;
  }
  static const char *const rest[] = {"scenario",
                                     "status",
                                     "cards",
                                     "servers",
                                     "capex (CNY)",
                                     "opex (CNY/year)",
                                     "TCO (CNY)",
                                     "cost (CNY per million tokens)",
                                     "delivered (tokens/s)",
                                     "power (kW)",
                                     "domestic share of tokens/s (%)"};
  static const hp_col_fmt rfmt[] = {HP_COL_TEXT, HP_COL_TEXT, HP_COL_SIG,
                                    HP_COL_SIG,  HP_COL_DEC2, HP_COL_INT,
                                    HP_COL_INT,  HP_COL_SIG,  HP_COL_INT,
                                    HP_COL_DEC1, HP_COL_PCT};
  for (size_t i = 0; i < sizeof rest / sizeof *rest; i++) {
    head[n] = rest[i];
    fmt[n++] = rfmt[i];
  }
  hp_doc_table *rows =
      table_new(&s->sheet[0], mc ? "Samples" : "Grid points", head, fmt, n);
  for (size_t i = 0; i < t->n_rows; i++) {
    const hp_wi_row *r = &t->rows[i];
    int ok = r->status == HP_RESULT_OPTIMAL;
    row(b, rows);
    num(b, (double)r->point + (mc ? 1 : 0));
    for (size_t k = 0; k < t->n_keys && k < HP_WI_MAX_KEYS; k++)
      num(b, t->values[r->point * t->n_keys + k]);
    txt(b, t->scenarios[r->scenario]);
    txt(b, hp_result_status_name(r->status));
    double v[] = {r->cards,
                  r->servers,
                  r->capex_cny,
                  r->opex_cny_per_year,
                  r->tco_cny,
                  r->cost_per_mtok_cny,
                  r->delivered_tokens_per_s,
                  r->power_mw * 1000.0,
                  r->share_compute};
    for (size_t k = 0; k < sizeof v / sizeof *v; k++)
      if (ok)
        num(b, v[k]);
      else
        skip(b);
  }
  /* The varied figures: each axis, or each distribution. */
  hp_doc_table *as = &s->sheet[4].tables[0];
  for (size_t k = 0; k < t->n_keys; k++) {
    char text[200];
    if (mc && t->dists) {
      const hp_wi_dist *ds = &t->dists[k];
      snprintf(text, sizeof text, "%s(%s, %s%s%s)",
               hp_scenario_set_dist_name(ds->kind),
               hp_fmt_sig(ds->p[0], 6, (char[48]){0}, 48),
               hp_fmt_sig(ds->p[1], 6, (char[48]){0}, 48),
               ds->kind == HP_DIST_TRIANGULAR ? ", " : "",
               ds->kind == HP_DIST_TRIANGULAR
                   ? hp_fmt_sig(ds->p[2], 6, (char[48]){0}, 48)
                   : "");
      char from[300];
      snprintf(from, sizeof from, "%s:%d:%d (uncertain:)", t->path, ds->line,
               ds->col);
      input(b, as, t->plan, NULL, t->keys[k], 0, text,
            hp_wi_key_unit(t->keys[k]), from);
    } else if (!mc) {
      char lo[48], hi[48];
      double first = t->values[k],
             last = t->values[(t->n_points - 1) * t->n_keys + k];
      snprintf(text, sizeof text, "varied from %s to %s",
               hp_fmt_sig(first, 6, lo, sizeof lo),
               hp_fmt_sig(last, 6, hi, sizeof hi));
      input(b, as, t->plan, NULL, t->keys[k], 0, text,
            hp_wi_key_unit(t->keys[k]), "command line (--vary)");
    }
  }
  if (mc) {
    char seed[48];
    snprintf(seed, sizeof seed, "%llu", (unsigned long long)t->seed);
    input(b, as, t->plan, NULL, "--seed", 0, seed, "", "command line");
    input(b, as, t->plan, NULL, "--samples", (double)t->n_points, NULL,
          "samples", "command line");
  }
  if (t->n_scenarios == 0)
    return;
  if (mc) {
    /* Percentiles of each scenario's capex and TCO, and the histogram of
     * the first scenario's capex (what the chart draws). */
    static const char *const ph[] = {"scenario", "figure", "P10",
                                     "P50",      "P90",    "mean",
                                     "min",      "max",    "optimal samples"};
    static const hp_col_fmt pf[] = {HP_COL_TEXT, HP_COL_TEXT, HP_COL_INT,
                                    HP_COL_INT,  HP_COL_INT,  HP_COL_INT,
                                    HP_COL_INT,  HP_COL_INT,  HP_COL_INT};
    hp_doc_table *pt = table_new(
        &s->sheet[0], "Percentiles over the optimal samples", ph, pf, 9);
    static const char *const cols[] = {"capex_cny", "tco_cny"};
    static const char *const names[] = {"capex (CNY)", "TCO (CNY)"};
    for (size_t sc = 0; sc < t->n_scenarios; sc++)
      for (int c = 0; c < 2; c++) {
        /* The engine's statistics (hp_wi_table.mc), never recomputed. */
        hp_wi_stats st = {0};
        const hp_wi_mc_summary *ms = t->mc ? &t->mc[sc] : NULL;
        for (size_t q = 0; ms && q < ms->n_quantities; q++)
          if (strcmp(ms->quantities[q].column, cols[c]) == 0)
            st = ms->quantities[q].st;
        row(b, pt);
        txt(b, t->scenarios[sc]);
        txt(b, names[c]);
        double v[] = {st.p10, st.p50, st.p90, st.mean, st.min, st.max};
        for (int k = 0; k < 6; k++)
          if (st.n)
            num(b, v[k]);
          else
            skip(b);
        num(b, (double)st.n);
      }
    static const char *const hh[] = {"capex from (CNY)", "samples"};
    static const hp_col_fmt hf[] = {HP_COL_INT, HP_COL_INT};
    hp_doc_table *h = table_new(&s->sheet[0], "Histogram of capex", hh, hf, 2);
    snprintf(h->title, sizeof h->title, "Histogram of capex, scenario %s",
             t->scenarios[0]);
    h->chart = HP_DOC_CHART_COLUMNS;
    h->first_series = h->last_series = 1;
    snprintf(h->chart_title, sizeof h->chart_title,
             "Monte Carlo: capex of scenario %s", t->scenarios[0]);
    snprintf(h->x_title, sizeof h->x_title, "capex from (CNY)");
    snprintf(h->y_title, sizeof h->y_title, "samples");
    /* The engine's bins (hp_wi_hist), the chart's. */
    const hp_wi_hist *hg = t->mc ? &t->mc[0].capex_hist : NULL;
    for (size_t k = 0; hg && k < hg->n_bins; k++) {
      row(b, h);
      num(b, hg->lo_cny + (double)k * hg->width_cny);
      num(b, (double)hg->counts[k]);
    }
    return;
  }
  /* Sweep: the cost curve of the first scenario along the first key, and
   * each vendor's capex under it (what the chart draws). */
  const char *vh[HP_DOC_MAX_COLS];
  hp_col_fmt vf[HP_DOC_MAX_COLS];
  char vname[HP_DOC_MAX_COLS][160];
  /* The vendors the first scenario buys at some optimal point (the
   * engine's hp_wi_table.vendor_used). */
  size_t vi[HP_DOC_MAX_COLS], nv = 0;
  for (size_t v = 0; v < t->n_vendors && nv < HP_DOC_MAX_COLS - 2; v++)
    if (t->vendor_used[v])
      vi[nv++] = v;
  vh[0] = kh[0];
  vf[0] = HP_COL_SIG;
  vh[1] = "capex (CNY)";
  vf[1] = HP_COL_DEC2;
  for (size_t k = 0; k < nv; k++) {
    snprintf(vname[k], sizeof vname[k], "%s capex (CNY)", t->vendors[vi[k]]);
    vh[k + 2] = vname[k];
    vf[k + 2] = HP_COL_DEC2;
  }
  hp_doc_table *c = table_new(&s->sheet[0], "Cost curve", vh, vf, nv + 2);
  snprintf(c->title, sizeof c->title,
           "Cost curve: capex of scenario %s along %s", t->scenarios[0],
           t->keys[0]);
  c->chart = HP_DOC_CHART_STEPS;
  c->first_series = 1;
  c->last_series = nv + 1;
  snprintf(c->chart_title, sizeof c->chart_title,
           "Capex against %s, scenario %s (solved points)", t->keys[0],
           t->scenarios[0]);
  snprintf(c->x_title, sizeof c->x_title, "%s", kh[0]);
  snprintf(c->y_title, sizeof c->y_title, "capex (CNY)");
  for (size_t i = 0; i < t->n_rows; i++) {
    const hp_wi_row *r = &t->rows[i];
    if (r->scenario != 0 || r->status != HP_RESULT_OPTIMAL)
      continue;
    row(b, c);
    num(b, t->values[r->point * t->n_keys]);
    num(b, r->capex_cny);
    for (size_t k = 0; k < nv; k++)
      num(b, t->vendor_capex[i * t->n_vendors + vi[k]]);
  }
}

/* ----------------------------------------------------------------------------
 * A plan with periods (issue 22): Summary, Schedule, Assumptions, Sources
 * ------------------------------------------------------------------------- */

static const char *const ps_head[] = {
    "plan",           "scenario",          "status",
    "objective",      "objective (CNY)",   "NPV (CNY)",
    "capex (CNY)",    "opex (CNY)",        "discount rate (% per year)",
    "periods",        "myopic plan (CNY)", "planning ahead saves (CNY)",
    "proven optimal", "explanation"};
static const hp_col_fmt ps_fmt[] = {
    HP_COL_TEXT, HP_COL_TEXT, HP_COL_TEXT, HP_COL_TEXT, HP_COL_DEC2,
    HP_COL_DEC2, HP_COL_DEC2, HP_COL_DEC2, HP_COL_PCT,  HP_COL_INT,
    HP_COL_DEC2, HP_COL_DEC2, HP_COL_TEXT, HP_COL_TEXT};
static const char *const pk_head[] = {"scenario",
                                      "period",
                                      "SKU",
                                      "vendor",
                                      "domestic",
                                      "bought (servers)",
                                      "in service (servers)",
                                      "owned (servers)",
                                      "retired (servers)",
                                      "capex (CNY)",
                                      "opex (CNY)",
                                      "delivered (tokens/s)"};
static const hp_col_fmt pk_fmt[] = {HP_COL_TEXT, HP_COL_TEXT, HP_COL_TEXT,
                                    HP_COL_TEXT, HP_COL_TEXT, HP_COL_SIG,
                                    HP_COL_SIG,  HP_COL_SIG,  HP_COL_SIG,
                                    HP_COL_DEC2, HP_COL_DEC2, HP_COL_INT};
static const char *const pp_head[] = {"scenario",
                                      "period",
                                      "start (years)",
                                      "length (years)",
                                      "demand (tokens/s)",
                                      "capacity (tokens/s)",
                                      "domestic share of compute (%)",
                                      "domestic share of cards (%)",
                                      "power (kW)",
                                      "budget (CNY)",
                                      "capex (CNY)",
                                      "opex (CNY)",
                                      "discount factor",
                                      "present value (CNY)"};
static const hp_col_fmt pp_fmt[] = {
    HP_COL_TEXT, HP_COL_TEXT, HP_COL_SIG, HP_COL_SIG,  HP_COL_INT,
    HP_COL_INT,  HP_COL_PCT,  HP_COL_PCT, HP_COL_DEC1, HP_COL_DEC2,
    HP_COL_DEC2, HP_COL_DEC2, HP_COL_SIG, HP_COL_DEC2};

static void schedule_summary(bld *b, hp_doc_table *t, const char *plan,
                             const hp_periods_result *r) {
  int ok = r->status == HP_RESULT_OPTIMAL;
  row(b, t);
  txt(b, plan);
  txt(b, r->name);
  txt(b, hp_result_status_name(r->status));
  txt(b, r->npv ? "npv" : "capex");
  if (ok) {
    num(b, r->objective_cny);
    num(b, r->npv_cny);
    num(b, r->capex_cny);
    num(b, r->opex_cny);
  } else {
    for (int k = 0; k < 4; k++)
      skip(b);
  }
  num(b, r->discount_rate);
  num(b, (double)r->n_periods);
  if (ok && r->has_myopic && r->myopic_status == HP_RESULT_OPTIMAL) {
    num(b, r->myopic_objective_cny);
    num(b, r->ahead_gain_cny);
  } else {
    skip(b);
    skip(b);
  }
  txt(b, ok ? (r->proven ? "yes" : "no (node limit)") : "");
  if (!ok)
    txt(b, r->explanation);
  else if (r->has_myopic && r->myopic_status != HP_RESULT_OPTIMAL)
    txt(b, r->myopic_explanation ? r->myopic_explanation
                                 : "planning period by period fails");
  else
    skip(b);
}

static void schedule_rows(bld *b, hp_doc_table *sk, hp_doc_table *pe,
                          const hp_periods_result *r) {
  if (r->status != HP_RESULT_OPTIMAL)
    return;
  for (size_t p = 0; p < r->n_periods; p++) {
    const hp_period_out *o = &r->periods[p];
    for (size_t k = 0; k < r->n_skus; k++) {
      const hp_period_sku *x = &o->sku[k];
      int used = 0; /* in any period, as the JSON report */
      for (size_t q = 0; q < r->n_periods && !used; q++) {
        const hp_period_sku *y = &r->periods[q].sku[k];
        used = y->bought > 0 || y->owned > 0 || y->in_service > 0 ||
               y->retired > 0;
      }
      if (!used)
        continue;
      row(b, sk);
      txt(b, r->name);
      txt(b, o->name);
      txt(b, r->skus[k]);
      txt(b, r->vendors[k]);
      txt(b, r->domestic[k] ? "yes" : "no");
      num(b, x->bought);
      num(b, x->in_service);
      num(b, x->owned);
      num(b, x->retired);
      num(b, x->capex_cny);
      num(b, x->opex_cny);
      num(b, x->tokens_per_s);
    }
    row(b, pe);
    txt(b, r->name);
    txt(b, o->name);
    num(b, o->start_years);
    num(b, o->years);
    num(b, o->demand_tokens_per_s);
    num(b, o->capacity_tokens_per_s);
    num(b, o->domestic_share_compute);
    num(b, o->domestic_share_cards);
    num(b, o->power_mw * 1000.0);
    if (o->budget_cny > 0)
      num(b, o->budget_cny);
    else
      skip(b);
    num(b, o->capex_cny);
    num(b, o->opex_cny);
    num(b, o->discount);
    num(b, o->pv_cny);
  }
}

/* The fleet in service by vendor per period (servers), for the chart. */
static void fleet_by_vendor(bld *b, const hp_doc_schedule *S,
                            hp_doc_sheet *sh) {
  vendor_set vs = {{0}, 0};
  for (size_t i = 0; i < S->n; i++) {
    const hp_periods_result *r = &S->results[i];
    for (size_t k = 0; r->status == HP_RESULT_OPTIMAL && k < r->n_skus; k++)
      for (size_t p = 0; p < r->n_periods; p++)
        if (r->periods[p].sku[k].in_service > 0)
          vendor_slot(&vs, r->vendors[k]);
  }
  static const by_vendor fleet = {
      .title = "Fleet in service by vendor (servers)",
      .first = "scenario / period",
      .figure = "in service (servers)",
      .fmt = HP_COL_SIG,
      .chart_title = "Fleet in service by vendor per period",
      .x_title = "period",
      .y_title = "servers in service"};
  if (vs.n == 0)
    return;
  hp_doc_table *t = vendor_table(sh, &vs, &fleet);
  for (size_t i = 0; i < S->n; i++) {
    const hp_periods_result *r = &S->results[i];
    if (r->status != HP_RESULT_OPTIMAL)
      continue;
    for (size_t p = 0; p < r->n_periods; p++) {
      char label[400];
      snprintf(label, sizeof label, "%s%s%s", S->n > 1 ? r->name : "",
               S->n > 1 ? " / " : "", r->periods[p].name);
      row(b, t);
      txt(b, label);
      for (size_t v = 0; v < vs.n; v++) {
        double n = 0;
        for (size_t k = 0; k < r->n_skus; k++)
          if (strcmp(r->vendors[k], vs.name[v]) == 0)
            n += r->periods[p].sku[k].in_service;
        num(b, n);
      }
    }
  }
}

/* What each period changes, the owned fleet and the lifetimes. */
static void period_inputs(bld *b, hp_doc_table *t, const char *plan,
                          const hp_scenario *sc, const hp_periods *P) {
  const char *f = sc->file ? sc->file : "";
  char key[240];
  input(b, t, plan, sc, "objective", 0, P->npv ? "npv" : "capex", "", f);
  input(b, t, plan, sc, "discount_rate", P->discount_rate, NULL,
        "fraction per year", f);
  for (size_t i = 0; i < P->n_fleet; i++) {
    const hp_fleet_cohort *c = &P->fleet[i];
    snprintf(key, sizeof key, "fleet.%s.servers", P->skus[c->sku]);
    input(b, t, plan, sc, key, c->servers, NULL, "servers", f);
    snprintf(key, sizeof key, "fleet.%s.age_years", P->skus[c->sku]);
    input(b, t, plan, sc, key, c->age_years, NULL, "years", f);
  }
  for (size_t k = 0; P->lifetime_years && k < P->n_skus; k++)
    if (P->lifetime_years[k] > 0 && isfinite(P->lifetime_years[k])) {
      snprintf(key, sizeof key, "lifetime_years.%s", P->skus[k]);
      input(b, t, plan, sc, key, P->lifetime_years[k], NULL, "years", f);
    }
  for (size_t p = 0; p < P->n; p++) {
    const hp_period *q = &P->p[p];
    const hp_scenario *s = &q->s;
#define PKEY(k) (snprintf(key, sizeof key, "periods.%s.%s", q->name, k), key)
    input(b, t, plan, sc, PKEY("years"), q->years, NULL, "years", f);
    if (s->has_workload)
      input(b, t, plan, sc, PKEY("workload.tokens_per_day"), s->tokens_per_day,
            NULL, "tokens/day", f);
    if (s->has_dom_min)
      input(b, t, plan, sc, PKEY("constraints.domestic_share.min"), s->dom_min,
            NULL, hp_model_basis_name(s->dom_basis), f);
    if (s->power_mw > 0)
      input(b, t, plan, sc, PKEY("constraints.power_mw"), s->power_mw * 1000.0,
            NULL, "kW", f);
    if (s->budget_cny > 0)
      input(b, t, plan, sc, PKEY("budget_cny"), s->budget_cny, NULL, "CNY", f);
    for (size_t i = 0; i < s->n_caps; i++) {
      char k2[200];
      snprintf(k2, sizeof k2, "constraints.caps.%s%s",
               s->caps[i].is_vendor ? "vendor." : "", s->caps[i].key);
      input(b, t, plan, sc, PKEY(k2), s->caps[i].cards, NULL, "cards", f);
    }
    char list[1024] = "";
    size_t n = 0;
    for (size_t k = 0; q->buyable && k < P->n_skus; k++)
      if (q->buyable[k] && n + strlen(P->skus[k]) + 3 < sizeof list)
        n += (size_t)snprintf(list + n, sizeof list - n, "%s%s", n ? ", " : "",
                              P->skus[k]);
    input(b, t, plan, sc, PKEY("devices"), 0, n ? list : "none", "buyable SKUs",
          f);
#undef PKEY
  }
}

static void schedule_sheets(bld *b, const hp_doc_schedule *S,
                            hp_doc_sheets *s) {
  const hp_doc *doc = &S->doc;
  static const char *const names[] = {"Summary", "Schedule", "Assumptions",
                                      "Sources"};
  for (int i = 0; i < 4; i++)
    s->sheet[i].name = names[i];
  s->n_sheets = 4;
  const hp_doc_plan *dp = doc->n_plans ? &doc->plans[0] : NULL;
  const hp_planfile *pf = dp ? dp->pf : NULL;
  const char *plan = pf ? hp_planfile_name(pf) : "";
  snprintf(s->title, sizeof s->title, "Plan %s over periods (%s)", plan,
           dp ? dp->path : "");
  hp_doc_table *sum =
      table_new(&s->sheet[0], "Scenarios over periods", ps_head, ps_fmt, 14);
  hp_doc_table *sk =
      table_new(&s->sheet[1], "Schedule: period x SKU", pk_head, pk_fmt, 12);
  hp_doc_table *pe = table_new(&s->sheet[1], "Per period", pp_head, pp_fmt, 14);
  hp_doc_table *as, *src;
  inputs_tables(&s->sheet[2], &s->sheet[3], &as, &src);
  for (size_t i = 0; i < S->n; i++) {
    schedule_summary(b, sum, plan, &S->results[i]);
    schedule_rows(b, sk, pe, &S->results[i]);
  }
  fleet_by_vendor(b, S, &s->sheet[1]);
  /* The chart and the periods first, the long period x SKU table last. */
  hp_doc_sheet *sc1 = &s->sheet[1];
  for (size_t i = 0, j = sc1->n_tables - 1; i < j; i++, j--) {
    hp_doc_table t = sc1->tables[i];
    sc1->tables[i] = sc1->tables[j];
    sc1->tables[j] = t;
  }
  s->sheet[1].note = hp_strdup(
      "Counts are servers. Capex is paid when bought and opex for every "
      "period in service, both undiscounted here; the present value "
      "discounts them to the plan's start. Retired servers reached the end "
      "of their lifetime at the period's start.");
  if (!s->sheet[1].note)
    b->oom = 1;
  for (size_t j = 0; pf && j < hp_planfile_count(pf); j++) {
    const hp_periods *P = hp_planfile_periods(pf, j);
    const hp_scenario *sc = hp_planfile_scenario(pf, j);
    if (!P)
      continue;
    assumptions(b, as, plan, sc);
    period_inputs(b, as, plan, sc, P);
    for (size_t p = 0; p < P->n; p++)
      sources(b, src, &P->p[p].s);
  }
}

/* ----------------------------------------------------------------------------
 * The document
 * ------------------------------------------------------------------------- */

const hp_doc_schedule *hp_report_doc_schedule_of(const hp_doc *doc) {
  /* doc is the first member of an hp_doc_schedule (C11 6.7.2.1p15). */
  return doc->command && strcmp(doc->command, "schedule") == 0
             ? (const hp_doc_schedule *)doc
             : NULL;
}

/* 1 if a table found no memory for its headers (table_new). */
static int sheets_oom(const hp_doc_sheets *s) {
  for (int i = 0; i < HP_DOC_SHEETS; i++)
    for (size_t k = 0; k < s->sheet[i].n_tables; k++)
      if (!s->sheet[i].tables[k].head_text)
        return 1;
  return 0;
}

int hp_report_doc_build(const hp_doc *doc, hp_doc_sheets *s, hp_diag *d) {
  memset(s, 0, sizeof *s);
  const hp_doc_schedule *S = hp_report_doc_schedule_of(doc);
  if (S) {
    bld sb = {0};
    schedule_sheets(&sb, S, s);
    if (sb.oom || sheets_oom(s)) {
      hp_report_doc_sheets_cleanup(s);
      memset(s, 0, sizeof *s);
      return hp_diag_oom(d);
    }
    return HP_OK;
  }
  s->n_sheets = HP_DOC_SHEETS;
  static const char *const names[HP_DOC_SHEETS] = {
      "Summary", "Vendors", "SKUs", "Classes", "Assumptions", "Sources"};
  for (int i = 0; i < HP_DOC_SHEETS; i++)
    s->sheet[i].name = names[i];
  const char *what =
      doc->table
          ? (doc->table->kind == HP_WI_MONTECARLO ? "Monte Carlo" : "Sweep")
      : doc->n_plans == 1 ? "Plan"
                          : "Batch";
  const char *name = doc->table ? doc->table->plan
                     : doc->n_plans && doc->plans[0].plan
                         ? hp_plan_name(doc->plans[0].plan)
                         : "";
  if (doc->n_plans > 1)
    snprintf(s->title, sizeof s->title, "Batch of %zu plans", doc->n_plans);
  else
    snprintf(s->title, sizeof s->title, "%s %s (%s)", what, name,
             doc->table     ? doc->table->path
             : doc->n_plans ? doc->plans[0].path
                            : "");
  bld b = {0};
  if (!doc->table) {
    table_new(&s->sheet[0], "Scenarios", sum_head, sum_fmt,
              sizeof sum_head / sizeof *sum_head);
    table_new(&s->sheet[0], "Costs and shares", cost_head, cost_fmt,
              sizeof cost_head / sizeof *cost_head);
  }
  static const char *const vh[] = {
      "plan",      "scenario", "vendor",      "domestic",
      "cards",     "servers",  "capex (CNY)", "delivered (tokens/s)",
      "power (kW)"};
  static const hp_col_fmt vf[] = {HP_COL_TEXT, HP_COL_TEXT, HP_COL_TEXT,
                                  HP_COL_TEXT, HP_COL_SIG,  HP_COL_SIG,
                                  HP_COL_DEC2, HP_COL_INT,  HP_COL_DEC1};
  static const char *const kh[] = {"plan",
                                   "scenario",
                                   "device",
                                   "vendor",
                                   "domestic",
                                   "cards",
                                   "servers",
                                   "capex (CNY)",
                                   "delivered (tokens/s)",
                                   "tokens/s per server",
                                   "power (kW)",
                                   "measured",
                                   "note"};
  static const hp_col_fmt kf[] = {
      HP_COL_TEXT, HP_COL_TEXT, HP_COL_TEXT, HP_COL_TEXT, HP_COL_TEXT,
      HP_COL_SIG,  HP_COL_SIG,  HP_COL_DEC2, HP_COL_INT,  HP_COL_INT,
      HP_COL_DEC1, HP_COL_TEXT, HP_COL_TEXT};
  static const char *const ch[] = {
      "plan",        "scenario",         "request class",
      "device",      "servers",          "cards",
      "capex (CNY)", "tokens/s",         "tokens/s per server",
      "TP (cards)",  "batch (requests)", "bound",
      "TTFT (ms)",   "TPOT (ms)",        "power (kW)"};
  static const hp_col_fmt cf[] = {
      HP_COL_TEXT, HP_COL_TEXT, HP_COL_TEXT, HP_COL_TEXT, HP_COL_SIG,
      HP_COL_SIG,  HP_COL_DEC2, HP_COL_INT,  HP_COL_INT,  HP_COL_INT,
      HP_COL_INT,  HP_COL_TEXT, HP_COL_DEC1, HP_COL_DEC1, HP_COL_DEC1};
  const char *base = doc->table ? " (the plan as written)" : "";
  char t1[160], t2[160], t3[160];
  snprintf(t1, sizeof t1, "Vendors bought%s", base);
  snprintf(t2, sizeof t2, "SKUs bought%s", base);
  snprintf(t3, sizeof t3, "Request classes served%s", base);
  table_new(&s->sheet[1], t1, vh, vf, 9);
  table_new(&s->sheet[2], t2, kh, kf, 13);
  table_new(&s->sheet[3], t3, ch, cf, 15);
  inputs_tables(&s->sheet[4], &s->sheet[5], NULL, NULL);
  if (doc->table) {
    plan_sheets(&b, doc, s, 0);
    table_sheets(&b, doc, s);
  } else {
    plan_sheets(&b, doc, s, 1);
  }
  if (s->sheet[3].tables[0].n_rows == 0)
    s->sheet[3].note =
        hp_strdup("No request classes: the flops demand model serves the "
                  "workload as one stream (classes come with the roofline "
                  "model).");
  if (b.oom || sheets_oom(s)) {
    hp_report_doc_sheets_cleanup(s);
    memset(s, 0, sizeof *s);
    return hp_diag_oom(d);
  }
  return HP_OK;
}

void hp_report_doc_sheets_cleanup(hp_doc_sheets *s) {
  for (int i = 0; i < HP_DOC_SHEETS; i++) {
    hp_doc_sheet *sh = &s->sheet[i];
    for (size_t k = 0; k < sh->n_tables; k++) {
      hp_doc_table *t = &sh->tables[k];
      for (size_t j = 0; j < t->n_rows * t->n_cols; j++)
        hp_free(t->cells[j].s);
      hp_free(t->cells);
      t->cells = NULL;
      t->n_rows = 0;
      hp_free(t->head_text);
      t->head_text = NULL;
    }
    hp_free(sh->note);
    sh->note = NULL;
  }
}
