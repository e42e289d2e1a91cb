/* report_periods.c - renderers of multi-period plans (issue 22): the
 * schedule (period x SKU: bought, in service, retired), per period demand
 * against capacity, domestic shares, capex, opex and present value, the
 * NPV, and the myopic plan beside the joint one; as a table, Markdown, CSV
 * and JSON. Renderers only format finished results; they never solve.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mem.h"
#include "periods.h"
#include "report.h"

/* Servers people read: whole, grouped; two decimals when fractional. */
static const char *servers(double v, char *buf, size_t size) {
  return hp_fmt_grouped(v, fabs(v - round(v)) < 1e-9 ? 0 : 2, buf, size);
}

static const char *cny(double v, char *buf, size_t size) {
  return hp_fmt_grouped(v, 0, buf, size);
}

/* 1 when SKU k is bought, owned or in service in some period. */
static int active(const hp_periods_result *r, size_t k) {
  for (size_t p = 0; p < r->n_periods; p++) {
    const hp_period_sku *s = &r->periods[p].sku[k];
    if (s->bought > 0 || s->owned > 0 || s->in_service > 0 || s->retired > 0)
      return 1;
  }
  return 0;
}

static const char *objective_name(const hp_periods_result *r) {
  return r->npv ? "npv" : "capex";
}

/* ----------------------------------------------------------------------------
 * Table and Markdown
 * ------------------------------------------------------------------------- */

/* A grid of cells printed with padded columns (table) or pipes (md). */
typedef struct grid {
  size_t cols, rows;
  char cell[64][16][48]; /* rows x cols */
  int right[16];
} grid;

static void grid_put(hp_buf *b, const grid *g, int md) {
  size_t w[16] = {0};
  for (size_t r = 0; r < g->rows; r++)
    for (size_t c = 0; c < g->cols; c++)
      if (strlen(g->cell[r][c]) > w[c])
        w[c] = strlen(g->cell[r][c]);
  for (size_t r = 0; r < g->rows; r++) {
    hp_buf_puts(b, md ? "|" : "  ");
    for (size_t c = 0; c < g->cols; c++) {
      const char *t = g->cell[r][c];
      if (md) {
        hp_buf_printf(b, " %s |", t);
        continue;
      }
      int pad = (int)(w[c] - strlen(t));
      if (g->right[c] && r > 0)
        hp_buf_printf(b, "%*s%s", pad, "", t);
      else
        hp_buf_printf(b, "%s%*s", t, c + 1 < g->cols ? pad : 0, "");
      if (c + 1 < g->cols)
        hp_buf_puts(b, "  ");
    }
    hp_buf_putc(b, '\n');
    if (r == 0) {
      hp_buf_puts(b, md ? "|" : "  ");
      for (size_t c = 0; c < g->cols; c++) {
        if (md)
          hp_buf_puts(b, g->right[c] ? "---:|" : "---|");
        else {
          hp_buf_repeat(b, "-", w[c]);
          if (c + 1 < g->cols)
            hp_buf_puts(b, "  ");
        }
      }
      hp_buf_putc(b, '\n');
    }
  }
}

static void text_one(const char *plan, const hp_periods_result *r, hp_buf *b,
                     int md) {
  char v1[64], v2[64], v3[64];
  if (md)
    hp_buf_printf(b, "## %s / %s: %s\n\n", plan, r->name,
                  hp_result_status_name(r->status));
  else
    hp_buf_printf(b, "%s / %s: %s\n", plan, r->name,
                  hp_result_status_name(r->status));
  const char *lead = md ? "- " : "  ";
  hp_buf_printf(b, "%s%zu periods, objective %s", lead, r->n_periods,
                objective_name(r));
  if (r->npv)
    hp_buf_printf(b,
                  " (capex when bought plus opex, discounted at %s%% a "
                  "year)",
                  hp_fmt_sig(r->discount_rate * 100, 4, v1, sizeof v1));
  hp_buf_putc(b, '\n');
  if (r->status != HP_RESULT_OPTIMAL) {
    hp_buf_printf(b, "%swhy: %s\n\n", lead,
                  r->explanation ? r->explanation : "");
    return;
  }
  hp_buf_printf(
      b,
      "%sNPV %s CNY; capex %s CNY and opex %s CNY over the "
      "periods (undiscounted)%s\n",
      lead, cny(r->npv_cny, v1, sizeof v1), cny(r->capex_cny, v2, sizeof v2),
      cny(r->opex_cny, v3, sizeof v3), r->proven ? "" : "; not proven optimal");
  if (r->has_myopic) {
    if (r->myopic_status == HP_RESULT_OPTIMAL) {
      hp_buf_printf(
          b,
          "%splanned period by period (myopic): %s %s CNY, %s CNY more "
          "(%s%%): the value of planning ahead\n",
          lead, objective_name(r), cny(r->myopic_objective_cny, v1, sizeof v1),
          cny(r->ahead_gain_cny, v2, sizeof v2),
          hp_fmt_sig(r->ahead_gain_pct, 3, v3, sizeof v3));
    } else {
      hp_buf_printf(b, "%splanned period by period (myopic): no plan: %s\n",
                    lead, r->myopic_explanation ? r->myopic_explanation : "");
    }
  }
  hp_buf_putc(b, '\n');
  /* The schedule: one row per SKU, one column per period. */
  static grid g;
  memset(&g, 0, sizeof g);
  size_t np = r->n_periods < 14 ? r->n_periods : 14;
  g.cols = np + 1;
  snprintf(g.cell[0][0], sizeof g.cell[0][0],
           "servers: bought/in service/"
           "retired");
  for (size_t p = 0; p < np; p++) {
    snprintf(g.cell[0][p + 1], sizeof g.cell[0][0], "%s", r->periods[p].name);
    g.right[p + 1] = 1;
  }
  g.rows = 1;
  for (size_t k = 0; k < r->n_skus && g.rows < 64; k++) {
    if (!active(r, k))
      continue;
    snprintf(g.cell[g.rows][0], sizeof g.cell[0][0], "%s", r->skus[k]);
    for (size_t p = 0; p < np; p++) {
      const hp_period_sku *s = &r->periods[p].sku[k];
      snprintf(g.cell[g.rows][p + 1], sizeof g.cell[0][0], "%s/%s/%s",
               servers(s->bought, v1, sizeof v1),
               servers(s->in_service, v2, sizeof v2),
               servers(s->retired, v3, sizeof v3));
    }
    g.rows++;
  }
  grid_put(b, &g, md);
  hp_buf_putc(b, '\n');
  /* Per period. */
  memset(&g, 0, sizeof g);
  static const char *const head[] = {"period",
                                     "start (years)",
                                     "years",
                                     "demand (tokens/s)",
                                     "capacity (tokens/s)",
                                     "domestic (compute)",
                                     "power (MW)",
                                     "capex (CNY)",
                                     "opex (CNY)",
                                     "PV (CNY)"};
  g.cols = sizeof head / sizeof head[0];
  for (size_t c = 0; c < g.cols; c++) {
    snprintf(g.cell[0][c], sizeof g.cell[0][c], "%s", head[c]);
    g.right[c] = c > 0;
  }
  g.rows = 1;
  for (size_t p = 0; p < r->n_periods && g.rows < 64; p++) {
    const hp_period_out *o = &r->periods[p];
    char(*row)[48] = g.cell[g.rows++];
    snprintf(row[0], 48, "%s", o->name);
    hp_fmt_sig(o->start_years, 4, row[1], 48);
    hp_fmt_sig(o->years, 4, row[2], 48);
    hp_fmt_count(o->demand_tokens_per_s, row[3], 48);
    hp_fmt_count(o->capacity_tokens_per_s, row[4], 48);
    snprintf(row[5], 48, "%.1f%%", 100 * o->domestic_share_compute);
    hp_fmt_sig(o->power_mw, 4, row[6], 48);
    cny(o->capex_cny, row[7], 48);
    cny(o->opex_cny, row[8], 48);
    cny(o->pv_cny, row[9], 48);
  }
  grid_put(b, &g, md);
  hp_buf_putc(b, '\n');
}

/* ----------------------------------------------------------------------------
 * CSV
 * ------------------------------------------------------------------------- */

static void csv(const char *plan, const hp_periods_result *r, size_t n,
                hp_buf *b) {
  hp_buf_puts(b, "plan,scenario,status,objective,period,start_years,years,"
                 "device,vendor,domestic,bought,in_service,owned,retired,"
                 "capex_cny,opex_cny,tokens_per_s,period_demand_tokens_per_s,"
                 "period_capacity_tokens_per_s,period_pv_cny\n");
  for (size_t i = 0; i < n; i++) {
    const hp_periods_result *x = &r[i];
    for (size_t p = 0; p < x->n_periods; p++) {
      const hp_period_out *o = &x->periods[p];
      for (size_t k = 0; k < x->n_skus; k++) {
        if (x->status == HP_RESULT_OPTIMAL && !active(x, k))
          continue;
        const hp_period_sku *s = &o->sku[k];
        hp_report_csv_field(b, plan);
        hp_buf_putc(b, ',');
        hp_report_csv_field(b, x->name);
        hp_buf_printf(b, ",%s,%s,", hp_result_status_name(x->status),
                      objective_name(x));
        hp_report_csv_field(b, o->name);
        hp_buf_putc(b, ',');
        hp_report_buf_number(b, o->start_years);
        hp_buf_putc(b, ',');
        hp_report_buf_number(b, o->years);
        hp_buf_putc(b, ',');
        hp_report_csv_field(b, x->skus[k]);
        hp_buf_putc(b, ',');
        hp_report_csv_field(b, x->vendors[k]);
        hp_buf_printf(b, ",%s", x->domestic[k] ? "yes" : "no");
        const double v[] = {
            s->bought,       s->in_service,          s->owned,
            s->retired,      s->capex_cny,           s->opex_cny,
            s->tokens_per_s, o->demand_tokens_per_s, o->capacity_tokens_per_s,
            o->pv_cny};
        for (size_t j = 0; j < sizeof v / sizeof v[0]; j++) {
          hp_buf_putc(b, ',');
          if (x->status == HP_RESULT_OPTIMAL || j == 7)
            hp_report_buf_number(b, v[j]);
        }
        hp_buf_putc(b, '\n');
      }
    }
  }
}

/* ----------------------------------------------------------------------------
 * JSON
 * ------------------------------------------------------------------------- */

static void put(json_t *o, const char *k, json_t *v, int *bad) {
  if (!v || json_object_set_new(o, k, v) != 0)
    *bad = 1;
}

static void push(json_t *a, json_t *v, int *bad) {
  if (!v || json_array_append_new(a, v) != 0)
    *bad = 1;
}

static json_t *one_json(const hp_periods_result *r, int *bad) {
  json_t *o = json_object();
  if (!o) {
    *bad = 1;
    return NULL;
  }
  int ok = r->status == HP_RESULT_OPTIMAL;
  put(o, "name", json_string(r->name), bad);
  put(o, "status", json_string(hp_result_status_name(r->status)), bad);
  put(o, "objective", json_string(objective_name(r)), bad);
  put(o, "discount_rate", json_real(r->discount_rate), bad);
  put(o, "explanation",
      r->explanation ? json_string(r->explanation) : json_null(), bad);
  put(o, "objective_cny", ok ? json_real(r->objective_cny) : json_null(), bad);
  put(o, "npv_cny", ok ? json_real(r->npv_cny) : json_null(), bad);
  put(o, "capex_cny", ok ? json_real(r->capex_cny) : json_null(), bad);
  put(o, "opex_cny", ok ? json_real(r->opex_cny) : json_null(), bad);
  put(o, "proven", json_boolean(ok && r->proven), bad);
  if (r->has_myopic) {
    json_t *m = json_object();
    if (m) {
      int mok = r->myopic_status == HP_RESULT_OPTIMAL;
      put(m, "status", json_string(hp_result_status_name(r->myopic_status)),
          bad);
      put(m, "objective_cny",
          mok ? json_real(r->myopic_objective_cny) : json_null(), bad);
      put(m, "value_of_planning_ahead_cny",
          mok ? json_real(r->ahead_gain_cny) : json_null(), bad);
      put(m, "explanation",
          r->myopic_explanation ? json_string(r->myopic_explanation)
                                : json_null(),
          bad);
    }
    put(o, "myopic", m, bad);
  }
  json_t *ps = json_array();
  for (size_t p = 0; ps && ok && p < r->n_periods; p++) {
    const hp_period_out *po = &r->periods[p];
    json_t *e = json_object();
    if (!e) {
      *bad = 1;
      break;
    }
    put(e, "name", json_string(po->name), bad);
    put(e, "start_years", json_real(po->start_years), bad);
    put(e, "years", json_real(po->years), bad);
    put(e, "demand_tokens_per_s", json_real(po->demand_tokens_per_s), bad);
    put(e, "capacity_tokens_per_s", json_real(po->capacity_tokens_per_s), bad);
    put(e, "domestic_share_compute", json_real(po->domestic_share_compute),
        bad);
    put(e, "domestic_share_cards", json_real(po->domestic_share_cards), bad);
    put(e, "power_mw", json_real(po->power_mw), bad);
    put(e, "budget_cny",
        po->budget_cny > 0 ? json_real(po->budget_cny) : json_null(), bad);
    put(e, "capex_cny", json_real(po->capex_cny), bad);
    put(e, "opex_cny", json_real(po->opex_cny), bad);
    put(e, "discount", json_real(po->discount), bad);
    put(e, "pv_cny", json_real(po->pv_cny), bad);
    json_t *ks = json_array();
    for (size_t k = 0; ks && k < r->n_skus; k++) {
      if (!active(r, k))
        continue;
      const hp_period_sku *s = &po->sku[k];
      json_t *q = json_object();
      if (!q) {
        *bad = 1;
        break;
      }
      put(q, "device", json_string(r->skus[k]), bad);
      put(q, "vendor", json_string(r->vendors[k]), bad);
      put(q, "domestic", json_boolean(r->domestic[k]), bad);
      put(q, "bought", json_real(s->bought), bad);
      put(q, "in_service", json_real(s->in_service), bad);
      put(q, "owned", json_real(s->owned), bad);
      put(q, "retired", json_real(s->retired), bad);
      put(q, "capex_cny", json_real(s->capex_cny), bad);
      put(q, "opex_cny", json_real(s->opex_cny), bad);
      put(q, "tokens_per_s", json_real(s->tokens_per_s), bad);
      push(ks, q, bad);
    }
    put(e, "devices", ks, bad);
    push(ps, e, bad);
  }
  put(o, "periods", ps, bad);
  return o;
}

static int dump_cb(const char *buffer, size_t size, void *data) {
  hp_buf *b = data;
  hp_buf_append(b, buffer, size);
  return b->oom ? -1 : 0;
}

static int json(const char *plan, const hp_periods_result *r, size_t n,
                hp_buf *b) {
  int bad = 0;
  json_set_alloc_funcs(hp_malloc, hp_free); /* as report_json.c */
  json_t *root = json_object();
  json_t *sc = json_array();
  if (!root || !sc) {
    json_decref(root);
    json_decref(sc);
    return HP_ENOMEM;
  }
  put(root, "plan", json_string(plan), &bad);
  for (size_t i = 0; i < n; i++)
    push(sc, one_json(&r[i], &bad), &bad);
  put(root, "scenarios", sc, &bad);
  int rc = bad ? -1
               : json_dump_callback(root, dump_cb, b,
                                    JSON_INDENT(2) | JSON_PRESERVE_ORDER |
                                        JSON_REAL_PRECISION(17));
  json_decref(root);
  if (rc != 0 || b->oom)
    return HP_ENOMEM;
  hp_buf_putc(b, '\n');
  return b->oom ? HP_ENOMEM : HP_OK;
}

int hp_report_periods(const char *plan, const hp_periods_result *r, size_t n,
                      hp_format fmt, hp_buf *b) {
  switch (fmt) {
  case HP_FORMAT_JSON:
    return json(plan, r, n, b);
  case HP_FORMAT_CSV:
    csv(plan, r, n, b);
    break;
  default:
    if (fmt == HP_FORMAT_MD)
      hp_buf_printf(b, "# %s\n\n", plan);
    for (size_t i = 0; i < n; i++)
      text_one(plan, &r[i], b, fmt == HP_FORMAT_MD);
    break;
  }
  return b->oom ? HP_ENOMEM : HP_OK;
}
