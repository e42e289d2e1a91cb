/* report_text.c - terminal table, Markdown and CSV renderers.
 *
 * Every number carries its unit, in the column header or beside it. Large
 * totals are also given in the units Chinese procurement documents use
 * (10k cards, 100M CNY), so that a report can be checked against a broker's
 * table line by line.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "catalog.h"
#include "mem.h"
#include "planner.h"
#include "report.h"

/* Cards are whole except in fractional mode. */
static int card_decimals(const hp_scenario_result *r) {
  return strcmp(r->granularity, "fractional") == 0 ? 2 : 0;
}

/* Servers are whole only when whole servers are bought: 11 cards bought one
 * by one fill 1.375 servers of 8 (2 chassis), not "1". */
static int server_decimals(const hp_scenario_result *r) {
  return strcmp(r->granularity, "server") == 0 ? 0
         : strcmp(r->granularity, "card") == 0 ? 3 /* eighths */
                                               : 2;
}

/* A name or a sentence quoting names, as the format wants it: Markdown
 * escapes or terminal escapes (buf.h). */
static void text(hp_buf *b, const char *s, int md) {
  if (md)
    hp_buf_md(b, s);
  else
    hp_buf_text(b, s);
}

/* ----------------------------------------------------------------------------
 * Simple column layout
 * ------------------------------------------------------------------------- */

#define MAX_COLS 12
#define MAX_CELL 48

typedef struct table {
  int n_cols;
  const char *head[MAX_COLS];
  int right[MAX_COLS];
  size_t n_rows, cap;
  char (*cells)[MAX_COLS][MAX_CELL];
  int oom;
} table;

static void t_row(table *t, const char *cells[]) {
  if (t->oom)
    return;
  if (t->n_rows == t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 8;
    void *p = hp_realloc(t->cells, cap * sizeof *t->cells);
    if (!p) {
      t->oom = 1;
      return;
    }
    t->cells = p;
    t->cap = cap;
  }
  for (int c = 0; c < t->n_cols; c++) {
    /* A name cut short loses whole characters, not half of one. */
    const char *src = cells[c] ? cells[c] : "";
    size_t n = strlen(src);
    if (n >= MAX_CELL) {
      n = MAX_CELL - 1;
      while (n > 0 && ((unsigned char)src[n] & 0xc0) == 0x80)
        n--;
    }
    memcpy(t->cells[t->n_rows][c], src, n);
    t->cells[t->n_rows][c][n] = '\0';
  }
  t->n_rows++;
}

static void t_render(table *t, hp_buf *b, const char *indent, int markdown) {
  size_t w[MAX_COLS];
  if (t->oom) {
    b->oom = 1;
    return;
  }
  for (int c = 0; c < t->n_cols; c++) {
    w[c] = hp_buf_cell_len(t->head[c], markdown);
    for (size_t r = 0; r < t->n_rows; r++)
      if (hp_buf_cell_len(t->cells[r][c], markdown) > w[c])
        w[c] = hp_buf_cell_len(t->cells[r][c], markdown);
  }
  for (size_t r = 0; r <= t->n_rows + 1; r++) {
    hp_buf_puts(b, indent);
    if (markdown)
      hp_buf_puts(b, "|");
    for (int c = 0; c < t->n_cols; c++) {
      const char *s;
      if (r == 0)
        s = t->head[c];
      else if (r == 1)
        s = NULL;
      else
        s = t->cells[r - 2][c];
      if (!s) {
        if (markdown) {
          hp_buf_puts(b, " ");
          hp_buf_repeat(b, "-", w[c] - (t->right[c] ? 1 : 0));
          hp_buf_puts(b, t->right[c] ? ": |" : " |");
        } else {
          hp_buf_repeat(b, "-", w[c]);
          if (c + 1 < t->n_cols)
            hp_buf_puts(b, "  ");
        }
        continue;
      }
      size_t pad = w[c] - hp_buf_cell_len(s, markdown);
      if (markdown)
        hp_buf_puts(b, " ");
      if (t->right[c])
        hp_buf_repeat(b, " ", pad);
      hp_buf_cell(b, s, markdown);
      if (!t->right[c] && (markdown || c + 1 < t->n_cols))
        hp_buf_repeat(b, " ", pad);
      if (markdown)
        hp_buf_puts(b, " |");
      else if (c + 1 < t->n_cols)
        hp_buf_puts(b, "  ");
    }
    hp_buf_putc(b, '\n');
  }
  hp_free(t->cells);
  memset(t, 0, sizeof *t);
}

/* ----------------------------------------------------------------------------
 * Plan: table and Markdown
 * ------------------------------------------------------------------------- */

static void summary(const hp_scenario_result *r, hp_buf *b, int md) {
  char n1[48], n2[48], n3[48];
  const char *li = md ? "- " : "  ";
  int max_tokens = strcmp(r->objective, "max_tokens") == 0;
  if (r->demand_tokens_per_s > 0) {
    char t1[48], t2[48], t3[48], t4[48];
    hp_buf_printf(b,
                  "%s%s: %s tokens/s at peak (%s tokens/day over %s "
                  "s/day x peak %s); %s by the broker formula%s\n",
                  li, max_tokens ? "workload" : "demand",
                  hp_fmt_grouped(r->demand_tokens_per_s, 0, n1, sizeof n1),
                  hp_fmt_count(r->tokens_per_day, t1, sizeof t1),
                  hp_fmt_count(r->seconds_per_day, t2, sizeof t2),
                  hp_fmt_sig(r->peak_factor, 6, t3, sizeof t3),
                  hp_fmt_si(r->demand_flops, 4, "FLOP/s", t4, sizeof t4),
                  max_tokens ? " (for comparison: objective max_tokens buys "
                               "the most tokens/s within the budget)"
                             : "");
    if (r->required_tokens_per_s > r->demand_tokens_per_s * (1 + 1e-12))
      hp_buf_printf(b, "%swith headroom: %s tokens/s to serve\n", li,
                    hp_fmt_grouped(r->required_tokens_per_s, 0, n1, sizeof n1));
  }
  hp_buf_printf(b, "%smodel: %s demand, %s granularity, objective %s\n", li,
                r->demand_model, r->granularity, r->objective);
  char why[160];
  if ((r->node_limited || r->repaired) &&
      hp_report_result_unproven(r, why, sizeof why))
    hp_buf_printf(b, "%ssolver: not proven optimal; %s\n", li, why);
  else if (r->mip_gap > 0 && r->status == HP_RESULT_OPTIMAL) {
    char g1[48], g2[48];
    hp_buf_printf(b, "%ssolver: %s %s%% (solver.mip_gap %s)\n", li,
                  r->within_gap ? "not proven optimal; within"
                                : "optimum proven; allowed gap",
                  hp_fmt_sig(100 * r->mip_gap, 3, g1, sizeof g1),
                  hp_fmt_sig(r->mip_gap, 6, g2, sizeof g2));
  }
  if (r->status != HP_RESULT_OPTIMAL) {
    hp_buf_printf(b, "%s%s: ", li,
                  r->status == HP_RESULT_INFEASIBLE ? "infeasible" : "error");
    text(b, r->explanation, md);
    hp_buf_putc(b, '\n');
    return;
  }
  /* The broker's units (10k cards, 100M CNY) where they mean something:
   * "0.00 x10k" says nothing about 24 cards. */
  char w1[48] = "", w2[48] = "";
  if (r->cards >= 100)
    snprintf(w1, sizeof w1, " (%.2f x10k)", r->cards / 1e4);
  if (r->capex_cny >= 1e6)
    snprintf(w2, sizeof w2, " (%.2f x100M CNY)", r->capex_cny / 1e8);
  hp_buf_printf(b, "%stotal: %s cards%s, %s servers, capex %s CNY%s\n", li,
                hp_fmt_grouped(r->cards, card_decimals(r), n1, sizeof n1), w1,
                hp_fmt_grouped(r->servers, server_decimals(r), n2, sizeof n2),
                hp_fmt_grouped(r->capex_cny, 2, n3, sizeof n3), w2);
  /* kW, as the SKU table says it: one unit per quantity in a report. */
  hp_buf_printf(b, "%sdelivered: %s tokens/s; power %s kW at TDP x PUE\n", li,
                hp_fmt_grouped(r->delivered_tokens_per_s, 0, n1, sizeof n1),
                hp_fmt_grouped(r->power_mw * 1000.0, 1, n2, sizeof n2));
  if (max_tokens) {
    char t1[48], t2[48], t3[48];
    hp_buf_printf(
        b,
        "%ssustains: %s tokens/day (delivered / peak %s x %s "
        "s/day)",
        li, hp_fmt_count(r->sustained_tokens_per_day, t1, sizeof t1),
        hp_fmt_sig(r->peak_factor > 0 ? r->peak_factor : 1, 6, t2, sizeof t2),
        hp_fmt_count(r->seconds_per_day, t3, sizeof t3));
    if (r->sustained_over_workload > 0)
      hp_buf_printf(b, ", %s x the workload's %s tokens/day",
                    hp_fmt_sig(r->sustained_over_workload, 3, t1, sizeof t1),
                    hp_fmt_count(r->tokens_per_day, t2, sizeof t2));
    hp_buf_puts(b, "\n");
  }
  hp_buf_printf(b,
                "%sdomestic share: %.1f%% of compute, %.1f%% of cards, %.1f%% "
                "of capex\n",
                li, 100 * r->domestic_share_compute,
                100 * r->domestic_share_cards, 100 * r->domestic_share_capex);
  hp_buf_printf(b,
                "%sopex %s CNY/year; TCO over %s years %s CNY; %s CNY "
                "per million tokens",
                li, hp_fmt_grouped(r->opex_cny_per_year, 0, n1, sizeof n1),
                hp_fmt_sig(r->years, 3, w1, sizeof w1),
                hp_fmt_grouped(r->tco_cny, 0, n2, sizeof n2),
                hp_fmt_sig(r->cost_per_mtok_cny, 4, n3, sizeof n3));
  if (r->token_price_per_mtok_cny > 0)
    hp_buf_printf(b, " (price %s CNY per million tokens: margin %.1f%%)",
                  hp_fmt_sig(r->token_price_per_mtok_cny, 4, w2, sizeof w2),
                  100 * r->margin);
  hp_buf_puts(b, "\n");
}

static void tables(const hp_scenario_result *r, hp_buf *b, int md) {
  char c1[48], c2[48], c3[48], c4[48];
  const char *indent = md ? "" : "  ";
  int cd = card_decimals(r), sd = server_decimals(r);
  table t = {0};
  t.n_cols = 6;
  const char *vh[] = {"vendor",  "domestic",    "cards",
                      "servers", "capex (CNY)", "tokens/s"};
  for (int i = 0; i < 6; i++) {
    t.head[i] = vh[i];
    t.right[i] = i >= 2;
  }
  for (size_t i = 0; i < r->n_vendors; i++) {
    const hp_plan_vendor *v = &r->vendors[i];
    const char *row[] = {v->vendor,
                         v->domestic ? "yes" : "no",
                         hp_fmt_grouped(v->cards, cd, c1, sizeof c1),
                         hp_fmt_grouped(v->servers, sd, c2, sizeof c2),
                         hp_fmt_grouped(v->capex_cny, 2, c3, sizeof c3),
                         hp_fmt_grouped(v->tokens_per_s, 0, c4, sizeof c4)};
    t_row(&t, row);
  }
  hp_buf_puts(b, "\n");
  t_render(&t, b, indent, md);
  hp_buf_puts(b, "\n");
  table l = {0};
  l.n_cols = 8;
  const char *lh[] = {"device",
                      "vendor",
                      "cards",
                      "servers",
                      "capex (CNY)",
                      "tokens/s",
                      "tokens/s per server",
                      "power (kW)"};
  for (int i = 0; i < 8; i++) {
    l.head[i] = lh[i];
    l.right[i] = i >= 2;
  }
  for (size_t i = 0; i < r->n_lines; i++) {
    const hp_plan_line *x = &r->lines[i];
    char c5[48], c6[48];
    char dev[64];
    snprintf(dev, sizeof dev, "%s%s", x->device,
             x->measured ? " (measured)" : "");
    const char *row[] = {
        dev,
        x->vendor,
        hp_fmt_grouped(x->cards, cd, c1, sizeof c1),
        hp_fmt_grouped(x->servers, sd, c2, sizeof c2),
        hp_fmt_grouped(x->capex_cny, 2, c3, sizeof c3),
        hp_fmt_grouped(x->tokens_per_s, 0, c4, sizeof c4),
        hp_fmt_grouped(x->tokens_per_s_per_server, 0, c5, sizeof c5),
        hp_fmt_grouped(x->power_kw, 1, c6, sizeof c6)};
    t_row(&l, row);
  }
  t_render(&l, b, indent, md);
}

/* Roofline: which SKU serves which request class, at what operating point. */
static void assignments(const hp_scenario_result *r, hp_buf *b, int md) {
  if (r->n_assigns == 0)
    return;
  char c1[48], c2[48], c3[48], c4[48], c5[48], c6[48], c7[48];
  table t = {0};
  t.n_cols = 10;
  const char *h[] = {"request class",       "device",   "servers", "tokens/s",
                     "tokens/s per server", "TP",       "batch",   "bound",
                     "TTFT (ms)",           "TPOT (ms)"};
  for (int i = 0; i < 10; i++) {
    t.head[i] = h[i];
    t.right[i] = i >= 2 && i != 7;
  }
  for (size_t i = 0; i < r->n_assigns; i++) {
    const hp_plan_assign *a = &r->assigns[i];
    snprintf(c4, sizeof c4, "%d", a->tp);
    snprintf(c5, sizeof c5, "%d", a->batch);
    snprintf(c6, sizeof c6, "%.1f", a->ttft_ms);
    snprintf(c7, sizeof c7, "%.1f", a->tpot_ms);
    const char *row[] = {
        a->request_class,
        a->device,
        hp_fmt_grouped(a->servers, server_decimals(r), c1, sizeof c1),
        hp_fmt_grouped(a->tokens_per_s, 0, c2, sizeof c2),
        hp_fmt_grouped(a->tokens_per_s_per_server, 0, c3, sizeof c3),
        c4,
        c5,
        a->memory_bound ? "memory" : "compute",
        c6,
        c7};
    t_row(&t, row);
  }
  hp_buf_puts(b, "\n");
  t_render(&t, b, md ? "" : "  ", md);
}

/* Services (issue 21): each pool per SKU, and how each (service, class,
 * phase) load splits over the SKUs; measured figures name their source
 * below the table. */
static void services_block(const hp_scenario_result *r, hp_buf *b, int md) {
  if (r->n_services == 0)
    return;
  char c1[48], c2[48], c3[48], c4[48], c5[48], c6[48], c7[48];
  const char *li = md ? "- " : "  ";
  hp_buf_puts(b, "\n");
  if (r->rent_cny_per_hour > 0)
    hp_buf_printf(b, "%srent: %s CNY/h for the fleet\n\n", li,
                  hp_fmt_grouped(r->rent_cny_per_hour, 2, c1, sizeof c1));
  table t = {0};
  const char *hp[] = {"device",       "pool", "servers",   "capex (CNY)",
                      "rent (CNY/h)", "busy", "KV (GB/s)", "network use"};
  t.n_cols = 8;
  for (int i = 0; i < 8; i++) {
    t.head[i] = hp[i];
    t.right[i] = i >= 2;
  }
  for (size_t i = 0; i < r->n_pools; i++) {
    const hp_plan_pool *p = &r->pools[i];
    int net = p->network_bytes_s > 0;
    snprintf(c4, sizeof c4, "%.1f%%", 100 * p->busy);
    snprintf(c6, sizeof c6, "%.1f%%", 100 * p->network_use);
    const char *row[] = {
        p->device,
        p->role,
        hp_fmt_grouped(p->servers, server_decimals(r), c1, sizeof c1),
        hp_fmt_grouped(p->capex_cny, 2, c2, sizeof c2),
        p->rent_cny_per_hour > 0
            ? hp_fmt_grouped(p->rent_cny_per_hour, 2, c3, sizeof c3)
            : "-",
        c4,
        net ? hp_fmt_grouped(p->kv_bytes_s / 1e9, 2, c5, sizeof c5) : "-",
        net ? c6 : "-"};
    t_row(&t, row);
  }
  t_render(&t, b, md ? "" : "  ", md);
  hp_buf_puts(b, "\n");
  table s = {0};
  const char *hs[] = {"service", "class",   "phase",    "device",
                      "share",   "servers", "tokens/s", "tokens/s per server",
                      "figure"};
  s.n_cols = 9;
  for (int i = 0; i < 9; i++) {
    s.head[i] = hs[i];
    s.right[i] = i >= 4 && i <= 7;
  }
  for (size_t i = 0; i < r->n_splits; i++) {
    const hp_plan_split *x = &r->splits[i];
    snprintf(c1, sizeof c1, "%.1f%%", 100 * x->fraction);
    const char *row[] = {
        x->service,
        x->request_class,
        x->phase,
        x->device,
        c1,
        hp_fmt_grouped(x->servers, 2, c2, sizeof c2),
        hp_fmt_grouped(x->tokens_per_s, 0, c3, sizeof c3),
        hp_fmt_grouped(x->tokens_per_s_per_server, 0, c7, sizeof c7),
        x->measured ? "measured" : "modelled"};
    t_row(&s, row);
  }
  t_render(&s, b, md ? "" : "  ", md);
  for (size_t i = 0; i < r->n_splits; i++) {
    const hp_plan_split *x = &r->splits[i];
    if (x->measured)
      hp_buf_printf(b, "%smeasured: %s/%s %s on %s: %s\n", li, x->service,
                    x->request_class, x->phase, x->device, x->source);
  }
}

/* Market warnings and per-SKU compute notes (issue 20), after the tables. */
static void notices(const hp_scenario_result *r, hp_buf *b, int md) {
  const char *li = md ? "- " : "  ";
  int any = r->n_warnings > 0;
  for (size_t i = 0; i < r->n_lines && !any; i++)
    any = r->lines[i].note != NULL;
  if (!any)
    return;
  hp_buf_puts(b, "\n");
  for (size_t i = 0; i < r->n_warnings; i++)
    hp_buf_printf(b, "%swarning: %s\n", li, r->warnings[i]);
  for (size_t i = 0; i < r->n_lines; i++)
    if (r->lines[i].note)
      hp_buf_printf(b, "%snote: %s: %s\n", li, r->lines[i].device,
                    r->lines[i].note);
}

/* --compare-models: both demand models' answers side by side. */
static void compare_block(const hp_scenario_result *r, hp_buf *b, int md) {
  const hp_scenario_result *o = r->compare;
  if (!o)
    return;
  const hp_scenario_result *fl = strcmp(r->demand_model, "flops") == 0 ? r : o;
  const hp_scenario_result *rf = fl == r ? o : r;
  char c1[48], c2[48], c3[48], c4[48];
  hp_buf_printf(b,
                "\n%scompare demand models (flops = the broker formula "
                "2 x params x tokens/s; roofline = memory fit, bandwidth "
                "and SLOs):\n",
                md ? "" : "  ");
  table t = {0};
  t.n_cols = 6;
  const char *h[] = {"demand model", "status",      "cards",
                     "servers",      "capex (CNY)", "delivered tokens/s"};
  for (int i = 0; i < 6; i++) {
    t.head[i] = h[i];
    t.right[i] = i >= 2;
  }
  const hp_scenario_result *both[] = {fl, rf};
  for (int k = 0; k < 2; k++) {
    const hp_scenario_result *x = both[k];
    int ok = x->status == HP_RESULT_OPTIMAL;
    char word[96];
    const char *row[] = {
        x->demand_model,
        hp_result_status_word(x, word, sizeof word),
        ok ? hp_fmt_grouped(x->cards, card_decimals(x), c1, sizeof c1) : "-",
        ok ? hp_fmt_grouped(x->servers, server_decimals(x), c2, sizeof c2)
           : "-",
        ok ? hp_fmt_grouped(x->capex_cny, 2, c3, sizeof c3) : "-",
        ok ? hp_fmt_grouped(x->delivered_tokens_per_s, 0, c4, sizeof c4) : "-"};
    t_row(&t, row);
  }
  t_render(&t, b, md ? "" : "  ", md);
  for (int k = 0; k < 2; k++)
    if (both[k]->status != HP_RESULT_OPTIMAL) {
      hp_buf_printf(b, "%s%s: ", md ? "- " : "  ", both[k]->demand_model);
      text(b, both[k]->explanation, md);
      hp_buf_putc(b, '\n');
    }
  if (fl->status != HP_RESULT_OPTIMAL || rf->status != HP_RESULT_OPTIMAL)
    return;
  hp_buf_puts(b, "\n");
  table d = {0};
  d.n_cols = 5;
  const char *dh[] = {"device", "cards (flops)", "cards (roofline)",
                      "capex flops (CNY)", "capex roofline (CNY)"};
  for (int i = 0; i < 5; i++) {
    d.head[i] = dh[i];
    d.right[i] = i >= 1;
  }
  /* Every SKU either model buys, in the flops answer's order first. */
  for (int k = 0; k < 2; k++) {
    const hp_scenario_result *x = both[k];
    for (size_t i = 0; i < x->n_lines; i++) {
      const char *id = x->lines[i].device;
      if (k == 1) {
        int seen = 0;
        for (size_t j = 0; j < fl->n_lines; j++)
          seen |= strcmp(fl->lines[j].device, id) == 0;
        if (seen)
          continue;
      }
      double cf = 0, cr = 0, kf = 0, kr = 0;
      for (size_t j = 0; j < fl->n_lines; j++)
        if (strcmp(fl->lines[j].device, id) == 0) {
          cf = fl->lines[j].cards;
          kf = fl->lines[j].capex_cny;
        }
      for (size_t j = 0; j < rf->n_lines; j++)
        if (strcmp(rf->lines[j].device, id) == 0) {
          cr = rf->lines[j].cards;
          kr = rf->lines[j].capex_cny;
        }
      const char *row[] = {id,
                           hp_fmt_grouped(cf, card_decimals(fl), c1, sizeof c1),
                           hp_fmt_grouped(cr, card_decimals(rf), c2, sizeof c2),
                           hp_fmt_grouped(kf, 2, c3, sizeof c3),
                           hp_fmt_grouped(kr, 2, c4, sizeof c4)};
      t_row(&d, row);
    }
  }
  t_render(&d, b, md ? "" : "  ", md);
  if (r->compare_ratio > 0)
    hp_buf_printf(b,
                  strcmp(fl->objective, "max_tokens") == 0
                      ? "%sroofline tokens/s / flops tokens/s = %.3f for the "
                        "same budget (the broker formula is off by %+.1f%%)\n"
                      : "%sroofline capex / flops capex = %.3f (the broker "
                        "formula is off by %+.1f%%)\n",
                  md ? "- " : "  ", r->compare_ratio, 100 * r->compare_off);
}

void hp_report_text_table(const hp_plan *p, hp_buf *b) {
  size_t from = b->len;
  for (size_t i = 0; i < hp_plan_count(p); i++) {
    const hp_scenario_result *r = hp_plan_at(p, i);
    if (i)
      hp_buf_puts(b, "\n");
    char word[96];
    text(b, hp_plan_name(p), 0);
    hp_buf_puts(b, " / ");
    text(b, r->name, 0);
    hp_buf_printf(b, ": %s\n", hp_result_status_word(r, word, sizeof word));
    summary(r, b, 0);
    if (r->status == HP_RESULT_OPTIMAL) {
      tables(r, b, 0);
      assignments(r, b, 0);
      services_block(r, b, 0);
      notices(r, b, 0);
    }
    compare_block(r, b, 0);
  }
  hp_buf_guard(b, from);
}

void hp_report_text_md(const hp_plan *p, hp_buf *b) {
  size_t from = b->len;
  hp_buf_puts(b, "# Plan ");
  text(b, hp_plan_name(p), 1);
  hp_buf_puts(b, "\n");
  for (size_t i = 0; i < hp_plan_count(p); i++) {
    const hp_scenario_result *r = hp_plan_at(p, i);
    char word[96];
    hp_buf_puts(b, "\n## ");
    text(b, r->name, 1);
    hp_buf_printf(b, " (%s)\n\n", hp_result_status_word(r, word, sizeof word));
    summary(r, b, 1);
    if (r->status == HP_RESULT_OPTIMAL) {
      tables(r, b, 1);
      assignments(r, b, 1);
      services_block(r, b, 1);
      notices(r, b, 1);
    }
    compare_block(r, b, 1);
  }
  hp_buf_guard(b, from);
}

/* ----------------------------------------------------------------------------
 * Plan: CSV (one row per SKU line, per vendor and per scenario total)
 * ------------------------------------------------------------------------- */

/* The roofline operating point of a level "class" row: request class,
 * tensor-parallel degree, batch, bound, TTFT and TPOT; NULL on other rows
 * (their columns are empty). tps_server is the per-server throughput (device
 * and class rows; 0 leaves it empty). */
/* A services plan's extra columns (service, phase, pool, load_share, busy,
 * kv_bytes_per_s, network_bytes_per_s, rent_cny_per_hour, figure, source): a
 * pool row fills the pool's, a split row the load's; other rows none. */
typedef struct csv_svc {
  const hp_plan_pool *pool;
  const hp_plan_split *split;
} csv_svc;

static void csv_svc_cols(hp_buf *b, const csv_svc *sv) {
  const hp_plan_pool *o = sv ? sv->pool : NULL;
  const hp_plan_split *l = sv ? sv->split : NULL;
  hp_buf_putc(b, ',');
  if (l)
    hp_report_csv_field(b, l->service);
  hp_buf_putc(b, ',');
  if (l)
    hp_report_csv_field(b, l->phase);
  hp_buf_putc(b, ',');
  if (o)
    hp_report_csv_field(b, o->role);
  hp_buf_putc(b, ',');
  if (l)
    hp_report_buf_number(b, l->fraction);
  double nums[] = {o ? o->busy : 0, o ? o->kv_bytes_s : 0,
                   o ? o->network_bytes_s : 0, o ? o->rent_cny_per_hour : 0};
  for (int i = 0; i < 4; i++) {
    hp_buf_putc(b, ',');
    if (o && (i != 3 || nums[i] > 0))
      hp_report_buf_number(b, nums[i]);
  }
  hp_buf_putc(b, ',');
  if (l)
    hp_buf_puts(b, l->measured ? "measured" : "modelled");
  hp_buf_putc(b, ',');
  if (l && l->source)
    hp_report_csv_field(b, l->source);
}

static void csv_row(hp_buf *b, const hp_plan *p, const hp_scenario_result *r,
                    const char *level, const char *device, const char *vendor,
                    int domestic, double cards, double servers, double capex,
                    double tps, double power_kw, double tps_server,
                    const hp_plan_assign *a, int gap_col, int svc_col,
                    const csv_svc *sv) {
  hp_report_csv_field(b, hp_plan_name(p));
  hp_buf_putc(b, ',');
  hp_report_csv_field(b, r->name);
  hp_buf_putc(b, ',');
  char word[96];
  hp_result_status_word(r, word, sizeof word);
  hp_report_csv_field(b, hp_planner_status_word_csv(word));
  hp_buf_printf(b, ",%s,", level);
  hp_report_csv_field(b, device ? device : "");
  hp_buf_putc(b, ',');
  hp_report_csv_field(b, vendor ? vendor : "");
  hp_buf_putc(b, ',');
  if (domestic >= 0)
    hp_buf_puts(b, domestic ? "true" : "false");
  /* A scenario without a plan has no purchase: empty fields, not zeros. */
  int ok = r->status == HP_RESULT_OPTIMAL;
  double nums[] = {cards, servers, capex, tps, power_kw};
  for (int i = 0; i < 5; i++) {
    hp_buf_putc(b, ',');
    if (ok && !isnan(nums[i])) /* NaN: the row has no such figure */
      hp_report_buf_number(b, nums[i]);
  }
  hp_buf_putc(b, ',');
  hp_report_buf_number(b, r->demand_tokens_per_s);
  hp_buf_putc(b, ',');
  hp_report_buf_number(b, r->demand_flops);
  if (strstr(level, "total") != NULL) {
    double tot[] = {r->domestic_share_compute,
                    r->domestic_share_cards,
                    r->domestic_share_capex,
                    r->opex_cny_per_year,
                    r->tco_cny,
                    r->cost_per_mtok_cny};
    for (int i = 0; i < 6; i++) {
      hp_buf_putc(b, ',');
      if (ok)
        hp_report_buf_number(b, tot[i]);
    }
    hp_buf_putc(b, ',');
    hp_report_csv_field(b, r->explanation ? r->explanation : "");
  } else {
    hp_buf_puts(b, ",,,,,,,");
  }
  hp_buf_putc(b, ',');
  if (ok && tps_server > 0)
    hp_report_buf_number(b, tps_server);
  hp_buf_putc(b, ',');
  if (a) {
    hp_report_csv_field(b, a->request_class);
    hp_buf_printf(b, ",%d,%d,%s,", a->tp, a->batch,
                  a->memory_bound ? "memory" : "compute");
    hp_report_buf_number(b, a->ttft_ms);
    hp_buf_putc(b, ',');
    hp_report_buf_number(b, a->tpot_ms);
  } else if (sv && sv->split) {
    hp_report_csv_field(b, sv->split->request_class);
    hp_buf_puts(b, ",,,,,");
  } else {
    hp_buf_puts(b, ",,,,,");
  }
  /* Only when a scenario let the solver stop short of a proof: whether
   * its total is within that gap rather than proven optimal. */
  if (gap_col) {
    hp_buf_putc(b, ',');
    if (ok && strstr(level, "total") != NULL &&
        (r->mip_gap > 0 || r->node_limited))
      hp_buf_puts(b, r->within_gap || r->node_limited ? "true" : "false");
  }
  if (svc_col)
    csv_svc_cols(b, sv);
  hp_buf_putc(b, '\n');
}

/* The SKU line of a device (its vendor and domestic flag), or NULL. */
static const hp_plan_line *line_of(const hp_scenario_result *r,
                                   const char *device) {
  for (size_t j = 0; j < r->n_lines; j++)
    if (strcmp(r->lines[j].device, device) == 0)
      return &r->lines[j];
  return NULL;
}

/* A scenario's rows: its SKU lines, vendors, total and (roofline) its
 * (class, SKU) assignments; prefix is "" or "compare-" for the other
 * demand model's answer under --compare-models. */
static void csv_result(hp_buf *b, const hp_plan *p, const hp_scenario_result *r,
                       const char *prefix, int gap_col, int svc_col) {
  char level[32];
  snprintf(level, sizeof level, "%sdevice", prefix);
  for (size_t k = 0; k < r->n_lines; k++) {
    const hp_plan_line *l = &r->lines[k];
    csv_row(b, p, r, level, l->device, l->vendor, l->domestic, l->cards,
            l->servers, l->capex_cny, l->tokens_per_s, l->power_kw,
            l->tokens_per_s_per_server, NULL, gap_col, svc_col, NULL);
  }
  snprintf(level, sizeof level, "%svendor", prefix);
  for (size_t k = 0; k < r->n_vendors; k++) {
    const hp_plan_vendor *v = &r->vendors[k];
    csv_row(b, p, r, level, NULL, v->vendor, v->domestic, v->cards, v->servers,
            v->capex_cny, v->tokens_per_s, v->power_kw, 0, NULL, gap_col,
            svc_col, NULL);
  }
  snprintf(level, sizeof level, "%stotal", prefix);
  csv_row(b, p, r, level, NULL, NULL, -1, r->cards, r->servers, r->capex_cny,
          r->delivered_tokens_per_s, r->power_mw * 1000.0, 0, NULL, gap_col,
          svc_col, NULL);
  /* A class's servers: their cards, capex and power (the planner's
   * share of the SKU line); vendor and domestic are the line's. */
  snprintf(level, sizeof level, "%sclass", prefix);
  for (size_t k = 0; k < r->n_assigns; k++) {
    const hp_plan_assign *a = &r->assigns[k];
    const hp_plan_line *l = line_of(r, a->device);
    csv_row(b, p, r, level, a->device, l ? l->vendor : NULL,
            l ? l->domestic : -1, a->cards, a->servers, a->capex_cny,
            a->tokens_per_s, a->power_kw, a->tokens_per_s_per_server, a,
            gap_col, svc_col, NULL);
  }
  /* Services: each pool (servers, cards, capex of one SKU and role) and
   * each load split (the share of a (service, class, phase) load one SKU
   * serves, its server-equivalents and throughput). */
  snprintf(level, sizeof level, "%spool", prefix);
  for (size_t k = 0; k < r->n_pools; k++) {
    const hp_plan_pool *o = &r->pools[k];
    const hp_plan_line *l = line_of(r, o->device);
    csv_svc sv = {o, NULL};
    csv_row(b, p, r, level, o->device, l ? l->vendor : NULL,
            l ? l->domestic : -1, o->cards, o->servers, o->capex_cny, NAN, NAN,
            0, NULL, gap_col, svc_col, &sv);
  }
  snprintf(level, sizeof level, "%ssplit", prefix);
  for (size_t k = 0; k < r->n_splits; k++) {
    const hp_plan_split *x = &r->splits[k];
    const hp_plan_line *l = line_of(r, x->device);
    csv_svc sv = {NULL, x};
    csv_row(b, p, r, level, x->device, l ? l->vendor : NULL,
            l ? l->domestic : -1, NAN, x->servers, NAN, x->tokens_per_s, NAN,
            x->tokens_per_s_per_server, NULL, gap_col, svc_col, &sv);
  }
}

void hp_report_text_csv(const hp_plan *p, hp_buf *b) {
  size_t from = b->len;
  hp_buf_puts(b, "plan,scenario,status,level,device,vendor,domestic,cards,"
                 "servers,capex_cny,tokens_per_s,power_kw,demand_tokens_per_s,"
                 "demand_flops,domestic_share_compute,domestic_share_cards,"
                 "domestic_share_capex,opex_cny_per_year,tco_cny,"
                 "cost_per_mtok_cny,explanation,tokens_per_s_per_server,"
                 "request_class,tp,batch,bound,ttft_ms,tpot_ms");
  int gap_col = 0;
  for (size_t i = 0; i < hp_plan_count(p); i++) {
    const hp_scenario_result *r = hp_plan_at(p, i);
    gap_col |=
        r->mip_gap > 0 || r->node_limited ||
        (r->compare && (r->compare->mip_gap > 0 || r->compare->node_limited));
  }
  int svc_col = 0;
  for (size_t i = 0; i < hp_plan_count(p); i++)
    svc_col |= hp_plan_at(p, i)->n_pools > 0;
  hp_buf_puts(b, gap_col ? ",within_gap" : "");
  hp_buf_puts(b, svc_col ? ",service,phase,pool,load_share,busy,kv_bytes_per_s,"
                           "network_bytes_per_s,rent_cny_per_hour,"
                           "figure,source\n"
                         : "\n");
  for (size_t i = 0; i < hp_plan_count(p); i++) {
    const hp_scenario_result *r = hp_plan_at(p, i);
    csv_result(b, p, r, "", gap_col, svc_col);
    /* --compare-models: the other demand model's rows, level compare-*. */
    if (r->compare)
      csv_result(b, p, r->compare, "compare-", gap_col, svc_col);
  }
  hp_buf_guard(b, from);
}

/* ----------------------------------------------------------------------------
 * Catalog
 * ------------------------------------------------------------------------- */

/* "148" or "148*" when the figure is weak or estimated. */
static const char *fig_cell(const hp_device_spec *s, hp_figure f, char *buf,
                            size_t size, int decimals) {
  if (s->fig[f] <= 0)
    return "-";
  char num[48];
  hp_fmt_grouped(s->fig[f], decimals, num, sizeof num);
  int low = s->conf[f] == HP_CONF_W || s->conf[f] == HP_CONF_E;
  snprintf(buf, size, "%s%s", num, low ? "*" : "");
  return buf;
}

/* "unavailable 2025-08-24", or "-" when the file gives no market block. */
static const char *market_cell(const hp_device_spec *s, char *buf,
                               size_t size) {
  if (s->market_china == HP_MARKET_UNKNOWN)
    return "-";
  snprintf(buf, size, "%s %s", hp_market_name(s->market_china),
           s->market_as_of ? s->market_as_of : "");
  return buf;
}

void hp_report_text_catalog_table(const hp_catalog *c, hp_buf *b,
                                  int markdown) {
  table t = {0};
  t.n_cols = 12;
  const char *h[] = {
      "id",           "vendor",    "dom",           "FP16 (TFLOPS)",
      "mem (GB)",     "BW (TB/s)", "TDP (W)",       "cards/server",
      "server (CNY)", "FLOP/byte", "China (as of)", "prices as of"};
  for (int i = 0; i < 12; i++) {
    t.head[i] = h[i];
    t.right[i] = i >= 3 && i <= 9;
  }
  size_t n_market[4] = {0};
  for (size_t i = 0; i < hp_catalog_count(c); i++) {
    const hp_device_spec *s = hp_catalog_at(c, i);
    char a[64], bb[64], cc[64], dd[64], e[64], f[64], g[64], m[48];
    snprintf(g, sizeof g, "%.0f",
             s->fig[HP_FIG_fp16_tflops] / s->fig[HP_FIG_memory_bw_tbps]);
    const char *row[] = {s->id,
                         s->vendor,
                         s->domestic ? "yes" : "no",
                         fig_cell(s, HP_FIG_fp16_tflops, a, sizeof a, 1),
                         fig_cell(s, HP_FIG_memory_gb, bb, sizeof bb, 0),
                         fig_cell(s, HP_FIG_memory_bw_tbps, cc, sizeof cc, 3),
                         fig_cell(s, HP_FIG_tdp_w, dd, sizeof dd, 0),
                         fig_cell(s, HP_FIG_cards_per_server, e, sizeof e, 0),
                         fig_cell(s, HP_FIG_price_server_cny, f, sizeof f, 0),
                         g,
                         market_cell(s, m, sizeof m),
                         s->price_as_of ? s->price_as_of : "-"};
    t_row(&t, row);
    n_market[s->market_china <= HP_MARKET_UNAVAILABLE ? s->market_china : 0]++;
  }
  t_render(&t, b, "", markdown);
  hp_buf_printf(b,
                "\n%zu devices. * marks a weak (W) or estimated (E) figure; "
                "see each file's sources.\n",
                hp_catalog_count(c));
  hp_buf_printf(b,
                "New orders in China: %zu available, %zu restricted, %zu "
                "unavailable",
                n_market[HP_MARKET_AVAILABLE], n_market[HP_MARKET_RESTRICTED],
                n_market[HP_MARKET_UNAVAILABLE]);
  if (n_market[HP_MARKET_UNKNOWN])
    hp_buf_printf(b, ", %zu not stated", n_market[HP_MARKET_UNKNOWN]);
  hp_buf_puts(b, "; `hetplan devices ID` gives a card's sources.\n");
}

void hp_report_text_catalog_csv(const hp_catalog *c, hp_buf *b) {
  hp_buf_puts(b, "id,vendor,name,domestic");
  for (int f = 0; f < HP_FIG_COUNT; f++)
    hp_buf_printf(b, ",%s,%s_conf,%s_ref", hp_figure_key((hp_figure)f),
                  hp_figure_key((hp_figure)f), hp_figure_key((hp_figure)f));
  hp_buf_puts(b, ",market_china,market_as_of,market_ref,price_as_of\n");
  for (size_t i = 0; i < hp_catalog_count(c); i++) {
    const hp_device_spec *s = hp_catalog_at(c, i);
    hp_report_csv_field(b, s->id);
    hp_buf_putc(b, ',');
    hp_report_csv_field(b, s->vendor);
    hp_buf_putc(b, ',');
    hp_report_csv_field(b, s->name);
    hp_buf_puts(b, s->domestic ? ",true" : ",false");
    for (int f = 0; f < HP_FIG_COUNT; f++) {
      hp_buf_putc(b, ',');
      if (s->fig[f] > 0)
        hp_report_buf_number(b, s->fig[f]);
      hp_buf_printf(b, ",%s,", hp_catalog_conf_name(s->conf[f]));
      if (s->src[f])
        hp_report_csv_field(b, s->src[f]);
    }
    hp_buf_printf(b, ",%s,", hp_market_name(s->market_china));
    if (s->market_as_of)
      hp_report_csv_field(b, s->market_as_of);
    hp_buf_putc(b, ',');
    if (s->market_ref)
      hp_report_csv_field(b, s->market_ref);
    hp_buf_putc(b, ',');
    if (s->price_as_of)
      hp_report_csv_field(b, s->price_as_of);
    hp_buf_puts(b, "\n");
  }
}

/* A figure as people read it: grouped, with as many decimals (up to 4) as
 * it needs to print exactly ("1,786,000", "3.35", "0.6144"). */
static const char *fig_plain(double v, char *buf, size_t size) {
  int dec = 0;
  while (dec < 4 && fabs(v * pow(10, dec) - round(v * pow(10, dec))) > 1e-6)
    dec++;
  return hp_fmt_grouped(v, dec, buf, size);
}

void hp_report_text_device_table(const hp_device_spec *s, hp_buf *b,
                                 int markdown) {
  const char *bullet = markdown ? "- " : "";
  if (markdown) {
    hp_buf_puts(b, "## ");
    hp_buf_cell(b, s->id, 1);
    hp_buf_puts(b, "\n\n");
  } else {
    hp_buf_printf(b, "%s\n", s->id);
  }
  hp_buf_printf(b, "%sname: ", bullet);
  hp_buf_cell(b, s->name, markdown);
  hp_buf_printf(b, "\n%svendor: ", bullet);
  hp_buf_cell(b, s->vendor, markdown);
  hp_buf_printf(b, " (%s), OpenCL %s\n",
                s->domestic ? "domestic" : "not domestic",
                s->opencl ? "yes" : "no");
  hp_buf_printf(b, "%snew orders in China: %s", bullet,
                hp_market_name(s->market_china));
  if (s->market_china != HP_MARKET_UNKNOWN) {
    hp_buf_printf(
        b, " as of %s; source: ", s->market_as_of ? s->market_as_of : "-");
    hp_buf_cell(b, s->market_ref ? s->market_ref : "-", markdown);
  } else {
    hp_buf_puts(b, " (the file gives no market block)");
  }
  hp_buf_printf(b, "\n%sprices as of: %s\n", bullet,
                s->price_as_of ? s->price_as_of : "not stated");
  hp_buf_printf(b, "%sfile: ", bullet);
  hp_buf_cell(b, s->path ? s->path : "-", markdown);
  hp_buf_puts(b, "\n\n");

  /* The figure table by hand: the sources are longer than a table cell. */
  const char *h[] = {"figure", "value", "unit", "conf", "source"};
  size_t w[4] = {strlen(h[0]), strlen(h[1]), strlen(h[2]), strlen(h[3])};
  char vals[HP_FIG_COUNT][48];
  for (int f = 0; f < HP_FIG_COUNT; f++) {
    if (s->fig[f] <= 0)
      continue;
    fig_plain(s->fig[f], vals[f], sizeof vals[f]);
    size_t l[4] = {strlen(hp_figure_key((hp_figure)f)), strlen(vals[f]),
                   strlen(hp_figure_unit((hp_figure)f)), 1};
    for (int k = 0; k < 4; k++)
      if (l[k] > w[k])
        w[k] = l[k];
  }
  for (int r = -2; r < HP_FIG_COUNT; r++) {
    if (r >= 0 && s->fig[r] <= 0)
      continue;
    const char *cell[5];
    if (r == -2) {
      for (int k = 0; k < 5; k++)
        cell[k] = h[k];
    } else if (r >= 0) {
      cell[0] = hp_figure_key((hp_figure)r);
      cell[1] = vals[r];
      cell[2] = hp_figure_unit((hp_figure)r);
      cell[3] = hp_catalog_conf_name(s->conf[r]);
      cell[4] = s->src[r] ? s->src[r] : "-";
    }
    if (markdown)
      hp_buf_puts(b, "| ");
    for (int k = 0; k < 5; k++) {
      size_t wk = k < 4 ? w[k] : 6;
      if (r == -1) {
        hp_buf_repeat(b, "-", wk - (markdown && k == 1 ? 1 : 0));
        if (markdown && k == 1)
          hp_buf_putc(b, ':');
      } else {
        size_t len = hp_buf_cell_len(cell[k], markdown);
        if (k == 1)
          hp_buf_repeat(b, " ", wk - len);
        hp_buf_cell(b, cell[k], markdown);
        if (k != 1 && k < 4)
          hp_buf_repeat(b, " ", wk - len);
      }
      if (k < 4)
        hp_buf_puts(b, markdown ? " | " : "  ");
    }
    hp_buf_puts(b, markdown ? " |\n" : "\n");
  }
  if (s->mfu > 0 || s->mbu > 0)
    hp_buf_printf(b,
                  "\n%sdefault utilisation: mfu %g, mbu %g (0 = the "
                  "plan's)\n",
                  bullet, s->mfu, s->mbu);
  if (s->measured) {
    hp_buf_printf(b, "\n%smeasured profile: ", bullet);
    hp_buf_cell(b, s->measured, markdown);
    hp_buf_puts(b, "\n");
  }
  if (s->notes) {
    hp_buf_printf(b, "\n%snotes: ", bullet);
    hp_buf_cell(b, s->notes, markdown);
    hp_buf_puts(b, "\n");
  }
  hp_buf_puts(b, "\nconf: V vendor, S reputable secondary, W weak, E "
                 "estimate (the source gives the arithmetic), M measured.\n");
}

void hp_report_text_device_csv(const hp_device_spec *s, hp_buf *b) {
  hp_buf_puts(b, "id,figure,value,unit,conf,ref\n");
  for (int f = 0; f < HP_FIG_COUNT; f++) {
    if (s->fig[f] <= 0)
      continue;
    hp_report_csv_field(b, s->id);
    hp_buf_printf(b, ",%s,", hp_figure_key((hp_figure)f));
    hp_report_buf_number(b, s->fig[f]);
    hp_buf_printf(b, ",%s,%s,", hp_figure_unit((hp_figure)f),
                  hp_catalog_conf_name(s->conf[f]));
    hp_report_csv_field(b, s->src[f] ? s->src[f] : "");
    hp_buf_putc(b, '\n');
  }
  if (s->market_china != HP_MARKET_UNKNOWN) {
    hp_report_csv_field(b, s->id);
    hp_buf_printf(b, ",market_china,%s,,,", hp_market_name(s->market_china));
    hp_report_csv_field(b, s->market_ref ? s->market_ref : "");
    hp_buf_putc(b, '\n');
    hp_report_csv_field(b, s->id);
    hp_buf_printf(b, ",market_as_of,%s,date,,\n",
                  s->market_as_of ? s->market_as_of : "");
  }
  if (s->price_as_of) {
    hp_report_csv_field(b, s->id);
    hp_buf_printf(b, ",price_as_of,%s,date,,\n", s->price_as_of);
  }
}
