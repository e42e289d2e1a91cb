/* report_whatif.c - renderers of the what-if engine's finished tables
 * (whatif.c): sweep, Monte Carlo and batch, as table, Markdown, CSV and
 * JSON, with the grid table engine they share. Renderers only format: they
 * never solve and never read a plan.
 */
#define _POSIX_C_SOURCE 200809L
#include "whatif.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "mem.h"
#include "planner.h"
#include "report.h"

/* ----------------------------------------------------------------------------
 * JSON, written with jansson as report_json.c does
 *
 * Every value is jansson's: one dump per header member, row or scenario,
 * into the stream, so a table of 100,000 rows needs no tree of them; only
 * the layout between those (brackets, indentation, one row a line) is
 * written here. A whole number below 1e15 is a JSON integer (its digits,
 * as CSV prints it); another is a real with 17 significant digits, as the
 * plan report writes it (both read back as the same double); a number that
 * is not finite is null. jansson escapes C0 controls; the safety net
 * (hp_buf_json_guard) escapes DEL, C1 and bidirectional controls after.
 * ------------------------------------------------------------------------- */

#define JSON_FLAGS                                                             \
  (JSON_ENCODE_ANY | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17))

static json_t *jnum(double v) {
  if (!isfinite(v))
    return json_null();
  if (fabs(v) < 1e15 && v == (double)(long long)v && !(v == 0 && signbit(v)))
    return json_integer((json_int_t)v);
  return json_real(v);
}

/* Length of the valid UTF-8 sequence at s (1 to 4), or 0. */
static size_t utf8_len(const unsigned char *s) {
  if (s[0] < 0x80)
    return 1;
  size_t n = s[0] >= 0xc2 && s[0] <= 0xdf   ? 2
             : s[0] >= 0xe0 && s[0] <= 0xef ? 3
             : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4
                                            : 0;
  for (size_t i = 1; i < n; i++)
    if ((s[i] & 0xc0) != 0x80)
      return 0;
  if ((n == 3 && s[0] == 0xe0 && s[1] < 0xa0) ||
      (n == 3 && s[0] == 0xed && s[1] >= 0xa0) ||
      (n == 4 && s[0] == 0xf0 && s[1] < 0x90) ||
      (n == 4 && s[0] == 0xf4 && s[1] >= 0x90))
    return 0;
  return n;
}

/* A JSON string; NULL is "". jansson takes UTF-8 only: a byte that is not
 * (a plan path from the command line) becomes U+FFFD. */
static json_t *jstr(const char *s) {
  s = s ? s : "";
  json_t *j = json_string(s);
  if (j)
    return j;
  hp_buf t;
  hp_buf_init(&t);
  for (const unsigned char *p = (const unsigned char *)s; *p;) {
    size_t n = utf8_len(p);
    if (n)
      hp_buf_append(&t, (const char *)p, n);
    else
      hp_buf_puts(&t, "\xef\xbf\xbd");
    p += n ? n : 1;
  }
  j = t.oom || !t.data ? NULL : json_string(t.data);
  hp_buf_cleanup(&t);
  return j;
}

/* json_object_set_new that remembers failure; it takes v (NULL: out of
 * memory) whatever happens, and drops it on failure, o NULL included. */
static void jput(json_t *o, const char *k, json_t *v, int *bad) {
  if (!v || json_object_set_new(o, k, v) != 0)
    *bad = 1;
}

/* jansson writes into our buffer (report_json.c says why not json_dumps);
 * b's failure is sticky. */
static int jdump_cb(const char *buffer, size_t size, void *data) {
  hp_buf *b = data;
  hp_buf_append(b, buffer, size);
  return b->oom ? -1 : 0;
}

/* Writes v (consumed; NULL or bad is out of memory) on one line. */
static int jdump(json_t *v, int bad, hp_buf *b) {
  int rc = !v || bad ? -1 : json_dump_callback(v, jdump_cb, b, JSON_FLAGS);
  json_decref(v);
  return rc != 0 || b->oom ? HP_ENOMEM : HP_OK;
}

/* "  \"key\": VALUE" and its line's end: a member of a top-level object. */
static int jmember(hp_buf *b, const char *key, json_t *v, int last) {
  hp_buf_printf(b, "  \"%s\": ", key);
  int rc = jdump(v, 0, b);
  hp_buf_puts(b, last ? "\n" : ",\n");
  return rc;
}

/* jansson allocates through the library's hooks (fault injection). */
static void jansson_hp_alloc(void) { json_set_alloc_funcs(hp_malloc, hp_free); }

/* A row's status as every format prints it: "optimal" only when proven,
 * else "feasible, not proven optimal (gap ...)" (hp_planner_status_word). */
static const char *wi_status_word(const hp_wi_row *r, char *buf, size_t size) {
  int proven = !r->within_gap && !r->node_limited && !r->repaired;
  return hp_planner_status_word(r->status, proven, r->gap, !r->node_limited,
                                buf, size);
}

/* A row's JSON status into o: "feasible" for a plan not proven optimal,
 * with status_text and its gap. */
static void wi_json_status(json_t *o, const hp_wi_row *r, int *bad) {
  char word[96];
  int unproven = r->status == HP_RESULT_OPTIMAL &&
                 (r->within_gap || r->node_limited || r->repaired);
  jput(o, "status",
       json_string(unproven ? "feasible" : hp_result_status_name(r->status)),
       bad);
  if (!unproven)
    return;
  jput(o, "status_text", jstr(wi_status_word(r, word, sizeof word)), bad);
  if (isfinite(r->gap))
    jput(o, "gap", jnum(r->gap), bad);
}

/* Where a streaming render sends its text (hp_report_whatif_to): the buffer
 * is handed on and emptied after a row once it holds FLUSH_BYTES, so a
 * table of 100,000 rows needs no more memory than one of ten. */
#define FLUSH_BYTES 65536
typedef struct flush_to {
  hp_wi_write_fn fn; /* NULL: keep everything in the buffer */
  void *ud;
  int guard; /* the safety net first: 1 text (hp_buf_guard), 2 JSON
                (hp_buf_json_guard), 0 none */
  int rc;    /* HP_OK, or the first error of a guard or a write */
} flush_to;

/* Hands b on once it holds enough (always when `all`), at a row's end:
 * never inside a character, so the guard sees whole ones. */
static void flush_rows(hp_buf *b, flush_to *f, int all) {
  if (!f || !f->fn || f->rc != HP_OK || (!all && b->len < FLUSH_BYTES))
    return;
  if (b->oom) {
    f->rc = HP_ENOMEM;
    return;
  }
  if (f->guard && (f->rc = f->guard == 2 ? hp_buf_json_guard(b, 0)
                                         : hp_buf_guard(b, 0)) != HP_OK)
    return;
  if (b->len && (f->rc = f->fn(b->data, b->len, f->ud)) != HP_OK)
    return;
  b->len = 0;
  if (b->data)
    b->data[0] = '\0';
}

/* A text table formatted in two passes through a cell callback, so that
 * 100,000 rows need no storage beyond the output. fetch, when set, is
 * called before the cells of each row, in order, in each pass (row 0
 * starts a pass): it moves a cursor there. */
typedef void (*cell_fn)(const void *ctx, size_t row, int col, char *out,
                        size_t size);

typedef struct grid {
  int n_cols;
  const char *const *head; /* n_cols headers */
  const int *right;        /* 1 to right-align */
  size_t n_rows;
  cell_fn cell;
  void *ctx;
  int (*fetch)(void *ctx, size_t row); /* HP_OK or an error; or NULL */
} grid;

static int grid_render(const grid *g, hp_buf *b, int markdown, flush_to *fl) {
  size_t *w = hp_calloc((size_t)g->n_cols, sizeof *w);
  char cell[512];
  int rc = HP_OK;
  if (!w)
    return HP_ENOMEM;
  for (int c = 0; c < g->n_cols; c++)
    w[c] = hp_buf_cell_len(g->head[c], markdown);
  for (size_t r = 0; r < g->n_rows && rc == HP_OK; r++) {
    if (g->fetch && (rc = g->fetch(g->ctx, r)) != HP_OK)
      break;
    for (int c = 0; c < g->n_cols; c++) {
      g->cell(g->ctx, r, c, cell, sizeof cell);
      size_t l = hp_buf_cell_len(cell, markdown);
      if (l > w[c])
        w[c] = l;
    }
  }
  for (size_t r = 0; r < g->n_rows + 2 && rc == HP_OK; r++) {
    if (r >= 2 && g->fetch && (rc = g->fetch(g->ctx, r - 2)) != HP_OK)
      break;
    if (markdown)
      hp_buf_puts(b, "|");
    for (int c = 0; c < g->n_cols; c++) {
      const char *txt;
      if (r == 0) {
        txt = g->head[c];
      } else if (r == 1) {
        if (markdown) {
          hp_buf_putc(b, ' ');
          hp_buf_repeat(b, "-", w[c] - (g->right[c] ? 1 : 0));
          hp_buf_puts(b, g->right[c] ? ": |" : " |");
        } else {
          hp_buf_repeat(b, "-", w[c]);
          if (c + 1 < g->n_cols)
            hp_buf_puts(b, "  ");
        }
        continue;
      } else {
        g->cell(g->ctx, r - 2, c, cell, sizeof cell);
        txt = cell;
      }
      size_t pad = w[c] - hp_buf_cell_len(txt, markdown);
      if (markdown)
        hp_buf_putc(b, ' ');
      if (g->right[c])
        hp_buf_repeat(b, " ", pad);
      hp_buf_cell(b, txt, markdown);
      if (!g->right[c] && (markdown || c + 1 < g->n_cols))
        hp_buf_repeat(b, " ", pad);
      if (markdown)
        hp_buf_puts(b, " |");
      else if (c + 1 < g->n_cols)
        hp_buf_puts(b, "  ");
    }
    hp_buf_putc(b, '\n');
    flush_rows(b, fl, 0);
  }
  hp_free(w);
  if (rc != HP_OK)
    return rc;
  if (fl && fl->rc != HP_OK)
    return fl->rc;
  return b->oom ? HP_ENOMEM : HP_OK;
}

/* Cost as a share of the plan's token price (%, the engine's figure), "-"
 * without a price. */
static void fmt_vs_price(double pct, double price, char *out, size_t size) {
  if (price > 0)
    snprintf(out, size, "%.2f", pct);
  else
    snprintf(out, size, "-");
}

/* Cards are whole except in fractional mode. */
static void fmt_cards(double v, char *out, size_t size) {
  hp_fmt_grouped(v, fabs(v - floor(v + 0.5)) < 1e-6 ? 0 : 2, out, size);
}

/* Servers: whole cards bought one by one fill eighths of a server (1.375),
 * which two decimals would round; other fractions keep two. */
static void fmt_servers(double v, char *out, size_t size) {
  double m = v * 1000;
  int thousandths = fabs(m - floor(m + 0.5)) < 1e-6 &&
                    fabs(v * 100 - floor(v * 100 + 0.5)) >= 1e-6;
  if (thousandths)
    hp_fmt_grouped(v, 3, out, size);
  else
    fmt_cards(v, out, size);
}

/* -- sweep ---------------------------------------------------------------- */

enum {
  SC_SCEN,
  SC_STATUS,
  SC_CAPEX,
  SC_OPEX,
  SC_TCO,
  SC_COST,
  SC_VS_PRICE,
  SC_CARDS,
  SC_SERVERS,
  SC_DOM_COMPUTE,
  SC_DOM_CARDS,
  SC_FIXED
};

typedef struct sweep_ctx {
  const hp_wi_table *t;
  size_t *vend; /* vendors shown */
  size_t n_vend;
  int has_price;        /* any row has a token price */
  int col_of[SC_FIXED]; /* column of each fixed field, -1 if hidden */
  hp_wi_cursor cur;     /* the rows, in order */
  hp_wi_rowref x;       /* the current one */
} sweep_ctx;

/* Moves the cursor to row ri (0 starts over): grid_render's fetch. */
static int sweep_fetch(void *ctxp, size_t ri) {
  sweep_ctx *c = ctxp;
  int rc;
  if (ri == 0) {
    hp_wi_cursor_close(&c->cur);
    if ((rc = hp_wi_cursor_open(c->t, &c->cur)) != HP_OK)
      return rc;
  }
  rc = hp_wi_cursor_next(&c->cur, &c->x);
  return rc == 1 ? HP_OK : rc == 0 ? HP_EIO : rc;
}

static void sweep_cell(const void *ctxp, size_t ri, int col, char *out,
                       size_t size) {
  const sweep_ctx *c = ctxp;
  const hp_wi_table *t = c->t;
  const hp_wi_row *r = c->x.row;
  char num[64];
  (void)ri;
  out[0] = '\0';
  if ((size_t)col < t->n_keys) {
    snprintf(out, size, "%s", hp_fmt_number(c->x.values[col], num, sizeof num));
    return;
  }
  int f = -1;
  for (int k = 0; k < SC_FIXED; k++)
    if (c->col_of[k] == col)
      f = k;
  int ok = r->status == HP_RESULT_OPTIMAL;
  switch (f) {
  case SC_SCEN:
    snprintf(out, size, "%s", t->scenarios[r->scenario]);
    return;
  case SC_STATUS:
    wi_status_word(r, out, size);
    return;
  default:
    break;
  }
  if (!ok) {
    snprintf(out, size, "-");
    return;
  }
  switch (f) {
  case SC_CAPEX:
    snprintf(out, size, "%.4f", r->capex_cny / 1e8);
    return;
  case SC_OPEX:
    snprintf(out, size, "%.2f", r->opex_cny_per_year / 1e6);
    return;
  case SC_TCO:
    snprintf(out, size, "%.4f", r->tco_cny / 1e8);
    return;
  case SC_COST:
    snprintf(out, size, "%.4f", r->cost_per_mtok_cny);
    return;
  case SC_VS_PRICE:
    fmt_vs_price(r->cost_over_price_pct, r->token_price_per_mtok_cny, out,
                 size);
    return;
  case SC_CARDS:
    fmt_cards(r->cards, out, size);
    return;
  case SC_SERVERS:
    fmt_servers(r->servers, out, size);
    return;
  case SC_DOM_COMPUTE:
    snprintf(out, size, "%.2f", 100.0 * r->share_compute);
    return;
  case SC_DOM_CARDS:
    snprintf(out, size, "%.2f", 100.0 * r->share_cards);
    return;
  default: {
    int first_vendor_col = 0;
    for (int k = 0; k < SC_FIXED; k++)
      if (c->col_of[k] >= first_vendor_col)
        first_vendor_col = c->col_of[k] + 1;
    size_t vi = c->vend[col - first_vendor_col];
    fmt_cards(c->x.vendor_cards[vi], out, size);
    return;
  }
  }
}

/* Vendors bought in any row, in catalog order (the engine's
 * vendor_used). */
static size_t vendors_used(const hp_wi_table *t, size_t *idx) {
  size_t n = 0;
  for (size_t k = 0; k < t->n_vendors; k++) {
    int used = 0;
    for (size_t s = 0; s < t->n_scenarios && !used; s++)
      used = t->vendor_used[s * t->n_vendors + k];
    if (used)
      idx[n++] = k;
  }
  return n;
}

/* Says how many optimal rows the solver stopped at the plan's
 * solver.mip_gap without proving them optimal; nothing when none. */
static void gap_note(const hp_wi_table *t, hp_buf *b) {
  const char *what = t->kind == HP_WI_SWEEP
                         ? "rows (feasible, not proven optimal) are"
                         : "samples are";
  size_t by_gap = t->n_within_gap - t->n_node_limited;
  if (!t->n_within_gap)
    return;
  if (!t->n_node_limited) {
    hp_buf_printf(b,
                  "\n%zu of %zu %s within the plan's solver.mip_gap of their "
                  "optimum, not proven optimal.\n",
                  t->n_within_gap, t->n_rows, what);
    return;
  }
  hp_buf_printf(b,
                "\n%zu of %zu %s not proven optimal: %zu stopped at the "
                "plan's solver.node_limit",
                t->n_within_gap, t->n_rows, what, t->n_node_limited);
  if (by_gap)
    hp_buf_printf(b, ", %zu within its solver.mip_gap", by_gap);
  hp_buf_puts(b, ".\n");
}

/* One sweep row as a JSON object (consumed by jdump). */
static json_t *sweep_json_row(const sweep_ctx *c, int *bad) {
  const hp_wi_table *t = c->t;
  const hp_wi_row *r = c->x.row;
  json_t *o = json_object(), *vals = json_object();
  for (size_t k = 0; k < t->n_keys; k++)
    jput(vals, t->keys[k], jnum(c->x.values[k]), bad);
  jput(o, "values", vals, bad);
  jput(o, "scenario", jstr(t->scenarios[r->scenario]), bad);
  wi_json_status(o, r, bad);
  if (r->within_gap)
    jput(o, "within_gap", json_true(), bad);
  if (r->node_limited)
    jput(o, "node_limited", json_true(), bad);
  if (r->status == HP_RESULT_ERROR)
    jput(o, "error", jstr(r->error_msg), bad);
  if (r->status != HP_RESULT_OPTIMAL)
    return o;
  static const char *const names[] = {
      "capex_cny",   "opex_cny_per_year", "tco_cny",       "cost_per_mtok_cny",
      "cards",       "servers",           "share_compute", "share_cards",
      "share_capex", "power_mw"};
  const double v[] = {r->capex_cny,     r->opex_cny_per_year,
                      r->tco_cny,       r->cost_per_mtok_cny,
                      r->cards,         r->servers,
                      r->share_compute, r->share_cards,
                      r->share_capex,   r->power_mw};
  for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
    jput(o, names[k], jnum(v[k]), bad);
  if (r->token_price_per_mtok_cny > 0)
    jput(o, "token_price_per_mtok_cny", jnum(r->token_price_per_mtok_cny), bad);
  json_t *vend = json_object();
  for (size_t k = 0; k < t->n_vendors; k++) {
    if (c->x.vendor_cards[k] <= 0)
      continue;
    json_t *x = json_object();
    jput(x, "cards", jnum(c->x.vendor_cards[k]), bad);
    jput(x, "servers", jnum(c->x.vendor_servers[k]), bad);
    jput(x, "capex_cny", jnum(c->x.vendor_capex[k]), bad);
    jput(vend, t->vendors[k], x, bad);
  }
  jput(o, "vendors", vend, bad);
  return o;
}

/* The sweep as JSON: its header members, then a row a line, handed on as
 * they are written. */

/* The header's within_gap and node_limited counts, each only when some
 * row has it (sweep and Monte Carlo alike). */
static int gap_members(hp_buf *b, const hp_wi_table *t) {
  int rc = HP_OK;
  if (t->n_within_gap &&
      (rc = jmember(b, "within_gap", json_integer((json_int_t)t->n_within_gap),
                    0)) != HP_OK)
    return rc;
  if (t->n_node_limited)
    rc = jmember(b, "node_limited", json_integer((json_int_t)t->n_node_limited),
                 0);
  return rc;
}
static int sweep_json(sweep_ctx *c, hp_buf *b, flush_to *fl) {
  const hp_wi_table *t = c->t;
  int rc = HP_OK;
  jansson_hp_alloc();
  hp_buf_puts(b, "{\n");
  if ((rc = jmember(b, "plan", jstr(t->plan), 0)) != HP_OK)
    return rc;
  json_t *keys = json_array();
  for (size_t k = 0; k < t->n_keys && keys; k++)
    if (json_array_append_new(keys, jstr(t->keys[k])) != 0) {
      json_decref(keys);
      keys = NULL;
    }
  if ((rc = jmember(b, "keys", keys, 0)) != HP_OK ||
      (rc = jmember(b, "points", json_integer((json_int_t)t->n_points), 0)) !=
          HP_OK ||
      (rc = jmember(b, "infeasible", json_integer((json_int_t)t->n_infeasible),
                    0)) != HP_OK ||
      (rc = jmember(b, "errors", json_integer((json_int_t)t->n_error), 0)) !=
          HP_OK)
    return rc;
  if ((rc = gap_members(b, t)) != HP_OK)
    return rc;
  hp_buf_puts(b, "  \"rows\": [\n");
  for (size_t ri = 0; ri < t->n_rows; ri++) {
    if ((rc = sweep_fetch(c, 1)) != HP_OK)
      return rc;
    int bad = 0;
    json_t *o = sweep_json_row(c, &bad);
    hp_buf_puts(b, "    ");
    if ((rc = jdump(o, bad, b)) != HP_OK)
      return rc;
    hp_buf_puts(b, ri + 1 < t->n_rows ? ",\n" : "\n");
    flush_rows(b, fl, 0);
  }
  hp_buf_puts(b, "  ]\n}\n");
  return b->oom ? HP_ENOMEM : HP_OK;
}

static int render_sweep(const hp_wi_table *t, hp_format fmt, hp_buf *b,
                        flush_to *fl) {
  sweep_ctx c;
  memset(&c, 0, sizeof c);
  c.t = t;
  c.vend = hp_calloc(t->n_vendors ? t->n_vendors : 1, sizeof *c.vend);
  if (!c.vend)
    return HP_ENOMEM;
  c.n_vend = vendors_used(t, c.vend);
  c.has_price = t->has_price;
  int rc = HP_OK;
  if (fmt == HP_FORMAT_JSON || fmt == HP_FORMAT_CSV)
    rc = hp_wi_cursor_open(t, &c.cur);
  if (rc != HP_OK)
    goto out;
  if (fmt == HP_FORMAT_JSON) {
    rc = sweep_json(&c, b, fl);
    goto out;
  }
  if (fmt == HP_FORMAT_CSV) {
    for (size_t k = 0; k < t->n_keys; k++) {
      hp_report_csv_field(b, t->keys[k]);
      hp_buf_putc(b, ',');
    }
    hp_buf_puts(b, "scenario,status,capex_cny,opex_cny_per_year,tco_cny,"
                   "cost_per_mtok_cny,token_price_per_mtok_cny,cards,servers,"
                   "share_compute,share_cards,share_capex,power_mw");
    /* Only when the plan lets the solver stop short of a proof. */
    if (t->n_within_gap)
      hp_buf_puts(b, ",within_gap");
    /* Only when some row failed: why, last so the other columns stay put. */
    int err_col = t->n_error > 0;
    for (size_t v = 0; v < c.n_vend; v++)
      for (int q = 0; q < 3; q++) {
        char h[200];
        snprintf(h, sizeof h, "%s.%s",
                 q == 0   ? "cards"
                 : q == 1 ? "servers"
                          : "capex_cny",
                 t->vendors[c.vend[v]]);
        hp_buf_putc(b, ',');
        hp_report_csv_field(b, h);
      }
    if (err_col)
      hp_buf_puts(b, ",error");
    hp_buf_putc(b, '\n');
    for (size_t ri = 0; ri < t->n_rows; ri++) {
      if ((rc = sweep_fetch(&c, 1)) != HP_OK)
        goto out;
      const hp_wi_row *r = c.x.row;
      for (size_t k = 0; k < t->n_keys; k++) {
        hp_report_buf_number(b, c.x.values[k]);
        hp_buf_putc(b, ',');
      }
      hp_report_csv_field(b, t->scenarios[r->scenario]);
      char word[96];
      hp_buf_putc(b, ',');
      wi_status_word(r, word, sizeof word);
      hp_report_csv_field(b, hp_planner_status_word_csv(word));
      int ok = r->status == HP_RESULT_OPTIMAL;
      const double vals[] = {r->capex_cny,
                             r->opex_cny_per_year,
                             r->tco_cny,
                             r->cost_per_mtok_cny,
                             r->token_price_per_mtok_cny,
                             r->cards,
                             r->servers,
                             r->share_compute,
                             r->share_cards,
                             r->share_capex,
                             r->power_mw};
      for (size_t k = 0; k < sizeof vals / sizeof vals[0]; k++) {
        hp_buf_putc(b, ',');
        /* No token price in the plan: an empty field, not 0. */
        if (ok && (k != 4 || vals[k] > 0))
          hp_report_buf_number(b, vals[k]);
      }
      if (t->n_within_gap)
        hp_buf_printf(b, ",%d", r->within_gap);
      for (size_t v = 0; v < c.n_vend; v++) {
        size_t o = c.vend[v];
        const double vv[] = {c.x.vendor_cards[o], c.x.vendor_servers[o],
                             c.x.vendor_capex[o]};
        for (int q = 0; q < 3; q++) {
          hp_buf_putc(b, ',');
          if (ok)
            hp_report_buf_number(b, vv[q]);
        }
      }
      if (err_col) {
        hp_buf_putc(b, ',');
        if (r->status == HP_RESULT_ERROR && r->error_msg)
          hp_report_csv_field(b, r->error_msg);
      }
      hp_buf_putc(b, '\n');
      flush_rows(b, fl, 0);
    }
    goto out;
  }
  /* Table and Markdown. */
  int nk = (int)t->n_keys, n = nk;
  const char *head[HP_WI_MAX_KEYS + SC_FIXED + 64];
  int right[HP_WI_MAX_KEYS + SC_FIXED + 64];
  char keyhead[HP_WI_MAX_KEYS][200];
  char vhead[64][120];
  if (c.n_vend > 64)
    c.n_vend = 64;
  for (int k = 0; k < nk; k++) {
    snprintf(keyhead[k], sizeof keyhead[k], "%s (%s)", t->keys[k],
             hp_wi_key_unit(t->keys[k]));
    head[k] = keyhead[k];
    right[k] = 1;
  }
  static const char *const fixed_head[SC_FIXED] = {
      "scenario",          "status",
      "capex (100M CNY)",  "opex (M CNY/yr)",
      "TCO (100M CNY)",    "cost (CNY/Mtok)",
      "cost/price (%)",    "cards",
      "servers",           "domestic compute (%)",
      "domestic cards (%)"};
  for (int f = 0; f < SC_FIXED; f++) {
    c.col_of[f] = -1;
    if (f == SC_SCEN && t->n_scenarios < 2)
      continue;
    if (f == SC_VS_PRICE && !c.has_price)
      continue;
    c.col_of[f] = n;
    head[n] = fixed_head[f];
    right[n] = f >= SC_CAPEX;
    n++;
  }
  for (size_t v = 0; v < c.n_vend; v++) {
    snprintf(vhead[v], sizeof vhead[v], "%s (cards)", t->vendors[c.vend[v]]);
    head[n] = vhead[v];
    right[n] = 1;
    n++;
  }
  if (fmt == HP_FORMAT_TABLE) {
    hp_buf_puts(b, "Sweep of plan ");
    hp_buf_text(b, t->plan);
    hp_buf_puts(b, " (");
    hp_buf_text(b, t->path);
    hp_buf_printf(b,
                  "): %zu points x %zu scenario%s, %zu infeasible, %zu "
                  "errors\n\n",
                  t->n_points, t->n_scenarios, t->n_scenarios == 1 ? "" : "s",
                  t->n_infeasible, t->n_error);
  }
  grid g = {n, head, right, t->n_rows, sweep_cell, &c, sweep_fetch};
  rc = grid_render(&g, b, fmt == HP_FORMAT_MD, fl);
  if (fmt == HP_FORMAT_TABLE || fmt == HP_FORMAT_MD)
    gap_note(t, b);
  if (fmt == HP_FORMAT_TABLE) {
    hp_buf_puts(b, "\nCapex in 100M CNY (1e8 CNY); opex is electricity per "
                   "year; TCO = capex + years x opex; cost per million "
                   "tokens = TCO / tokens served over the horizon.\n");
  }
out:
  hp_wi_cursor_close(&c.cur);
  hp_free(c.vend);
  if (rc == HP_OK && fl && fl->rc != HP_OK)
    rc = fl->rc;
  return rc != HP_OK ? rc : b->oom ? HP_ENOMEM : HP_OK;
}

/* -- Monte Carlo -------------------------------------------------------- */

typedef struct mc_ctx {
  const hp_wi_quantity *lines;
} mc_ctx;

static void mc_cell(const void *ctxp, size_t r, int col, char *out,
                    size_t size) {
  const hp_wi_quantity *l = &((const mc_ctx *)ctxp)->lines[r];
  double v = 0;
  switch (col) {
  case 0:
    snprintf(out, size, "%s", l->name);
    return;
  case 1:
    snprintf(out, size, "%s", l->unit);
    return;
  case 2:
    v = l->st.p10;
    break;
  case 3:
    v = l->st.p50;
    break;
  case 4:
    v = l->st.p90;
    break;
  default:
    v = l->st.mean;
    break;
  }
  if (l->st.n == 0) {
    snprintf(out, size, "-");
    return;
  }
  v /= l->scale;
  if (strcmp(l->unit, "cards") == 0 || strcmp(l->unit, "servers") == 0)
    hp_fmt_grouped(v, l->decimals, out, size);
  else
    snprintf(out, size, "%.*f", l->decimals, v);
}

static void fmt_stat(hp_buf *b, const hp_wi_quantity *m, double v) {
  char num[64];
  if (m->decimals < 0)
    hp_buf_puts(b, hp_fmt_number(v, num, sizeof num));
  else
    hp_report_buf_number(b, v);
}

static void mc_cell_rt(const void *ctxp, size_t r, int col, char *out,
                       size_t size) {
  const hp_wi_quantity *l = &((const mc_ctx *)ctxp)->lines[r];
  if (l->decimals >= 0 || col < 2 || l->st.n == 0) {
    mc_cell(ctxp, r, col, out, size);
    return;
  }
  double v = col == 2   ? l->st.p10
             : col == 3 ? l->st.p50
             : col == 4 ? l->st.p90
                        : l->st.mean;
  hp_fmt_sig(v, 6, out, size);
}

/* CSV and JSON keep raw units: CNY, CNY/year, fractions. */
static const char *raw_unit(const hp_wi_quantity *m) {
  return m->decimals < 0                    ? m->unit
         : strcmp(m->unit, "100M CNY") == 0 ? "CNY"
         : strcmp(m->unit, "M CNY/yr") == 0 ? "CNY/year"
         : strcmp(m->unit, "%") == 0        ? "fraction"
                                            : m->unit;
}

/* The Monte Carlo summaries as JSON: the header members, then each
 * scenario's head on one line and a quantity a line under it. */
static int mc_json(const hp_wi_table *t, hp_buf *b) {
  int rc;
  jansson_hp_alloc();
  hp_buf_puts(b, "{\n");
  if ((rc = jmember(b, "plan", jstr(t->plan), 0)) != HP_OK ||
      (rc = jmember(b, "samples", json_integer((json_int_t)t->n_points), 0)) !=
          HP_OK)
    return rc;
  /* jansson's integers are signed 64-bit; a seed is any unsigned one. */
  hp_buf_printf(b, "  \"seed\": %llu,\n", (unsigned long long)t->seed);
  if ((rc = gap_members(b, t)) != HP_OK)
    return rc;
  hp_buf_puts(b, "  \"scenarios\": [\n");
  for (size_t s = 0; s < t->n_scenarios; s++) {
    const hp_wi_mc_summary *sm = &t->mc[s];
    int bad = 0;
    json_t *h = json_object();
    jput(h, "scenario", jstr(t->scenarios[s]), &bad);
    jput(h, "optimal", json_integer((json_int_t)sm->optimal), &bad);
    jput(h, "infeasible", json_integer((json_int_t)sm->infeasible), &bad);
    jput(h, "errors", json_integer((json_int_t)sm->errors), &bad);
    if (sm->share_above_price >= 0) {
      jput(h, "token_price_per_mtok_cny", jnum(sm->token_price_per_mtok_cny),
           &bad);
      jput(h, "share_cost_above_price", jnum(sm->share_above_price), &bad);
    }
    /* The head object stays open: its quantities follow on their lines. */
    hp_buf_puts(b, "    ");
    if ((rc = jdump(h, bad, b)) != HP_OK)
      return rc;
    b->len--; /* the '}' jansson closed it with */
    hp_buf_puts(b, ",\n     \"quantities\": [\n");
    for (size_t i = 0; i < sm->n_quantities; i++) {
      const hp_wi_quantity *m = &sm->quantities[i];
      json_t *o = json_object();
      jput(o, "name", jstr(m->column[0] ? m->column : m->name), &bad);
      jput(o, "unit", jstr(raw_unit(m)), &bad);
      jput(o, "n", json_integer((json_int_t)m->st.n), &bad);
      /* No optimal sample: no percentile (null, not 0). */
      static const char *const qn[] = {"p10", "p50", "p90", "mean"};
      const double qv[] = {m->st.p10, m->st.p50, m->st.p90, m->st.mean};
      for (int q = 0; q < 4; q++)
        jput(o, qn[q], m->st.n ? jnum(qv[q]) : json_null(), &bad);
      hp_buf_puts(b, "       ");
      if ((rc = jdump(o, bad, b)) != HP_OK)
        return rc;
      hp_buf_puts(b, i + 1 < sm->n_quantities ? ",\n" : "\n");
    }
    hp_buf_puts(b, s + 1 < t->n_scenarios ? "     ]},\n" : "     ]}\n");
  }
  hp_buf_puts(b, "  ]\n}\n");
  return b->oom ? HP_ENOMEM : HP_OK;
}

/* Reads the engine's summaries (hp_wi_table.mc): nothing is computed
 * here. */
static int render_mc(const hp_wi_table *t, hp_format fmt, hp_buf *b) {
  if (!t->mc)
    return HP_EINVAL; /* not a table hp_wi_montecarlo finished */
  int rc = HP_OK;
  if (fmt == HP_FORMAT_JSON)
    return mc_json(t, b);
  if (fmt == HP_FORMAT_CSV)
    hp_buf_puts(b, "scenario,quantity,unit,p10,p50,p90,mean,n\n");
  for (size_t s = 0; s < t->n_scenarios; s++) {
    const hp_wi_mc_summary *sm = &t->mc[s];
    const hp_wi_quantity *l = sm->quantities;
    size_t n = sm->n_quantities, ok = sm->optimal, inf = sm->infeasible,
           err = sm->errors;
    double price = sm->token_price_per_mtok_cny;
    double above = sm->share_above_price;
    if (fmt == HP_FORMAT_CSV) {
      for (size_t i = 0; i < n; i++) {
        const hp_wi_quantity *m = &l[i];
        hp_report_csv_field(b, t->scenarios[s]);
        hp_buf_putc(b, ',');
        hp_report_csv_field(b, m->column[0] ? m->column : m->name);
        hp_buf_putc(b, ',');
        hp_report_csv_field(b, raw_unit(m));
        const double vv[] = {m->st.p10, m->st.p50, m->st.p90, m->st.mean};
        for (int q = 0; q < 4; q++) {
          hp_buf_putc(b, ',');
          if (m->st.n)
            fmt_stat(b, m, vv[q]);
        }
        hp_buf_printf(b, ",%zu\n", m->st.n);
      }
    } else {
      if (fmt == HP_FORMAT_MD) {
        hp_buf_puts(b, "### ");
        hp_buf_md(b, t->plan);
        hp_buf_puts(b, " / ");
        hp_buf_md(b, t->scenarios[s]);
        hp_buf_puts(b, "\n\n");
      } else {
        hp_buf_puts(b, "Monte Carlo of plan ");
        hp_buf_text(b, t->plan);
        hp_buf_puts(b, " (");
        hp_buf_text(b, t->path);
        hp_buf_puts(b, "), scenario ");
        hp_buf_text(b, t->scenarios[s]);
        hp_buf_puts(b, "\n");
      }
      hp_buf_printf(b,
                    "%s%zu samples (seed %llu, %u threads): %zu optimal, "
                    "%zu infeasible, %zu invalid%s\n\n",
                    fmt == HP_FORMAT_MD ? "" : "  ", t->n_points,
                    (unsigned long long)t->seed, t->threads, ok, inf, err,
                    err ? " (a sampled value the plan rejects)" : "");
      static const char *const head[] = {"quantity", "unit", "P10",
                                         "P50",      "P90",  "mean"};
      static const int right[] = {0, 0, 1, 1, 1, 1};
      mc_ctx c = {l};
      grid g = {6, head, right, n, mc_cell_rt, &c, NULL};
      rc = grid_render(&g, b, fmt == HP_FORMAT_MD, NULL);
      if (above >= 0) {
        char pr[48];
        hp_buf_printf(b,
                      "\nToken price %s CNY/Mtok: the cost per million "
                      "tokens exceeds it in %.1f%% of the optimal "
                      "samples.\n",
                      hp_fmt_sig(price, 4, pr, sizeof pr), 100.0 * above);
      }
      hp_buf_puts(b, "\nPercentiles over the optimal samples (inputs: over "
                     "all samples); capex and TCO in 100M CNY.\n");
      if (s + 1 < t->n_scenarios)
        hp_buf_putc(b, '\n');
    }
    if (rc != HP_OK)
      return rc;
  }
  if (fmt != HP_FORMAT_CSV)
    gap_note(t, b);
  return b->oom ? HP_ENOMEM : HP_OK;
}

/* The safety net (buf.h) over every format: jansson escapes C0 controls
 * only, hp_buf_json_guard the rest. */
static int guarded(int rc, hp_format fmt, hp_buf *b, size_t from) {
  if (rc != HP_OK)
    return rc;
  return fmt == HP_FORMAT_JSON ? hp_buf_json_guard(b, from)
                               : hp_buf_guard(b, from);
}

int hp_report_whatif(const hp_wi_table *t, hp_format fmt, hp_buf *b) {
  size_t from = b->len;
  int rc = t->kind == HP_WI_SWEEP ? render_sweep(t, fmt, b, NULL)
                                  : render_mc(t, fmt, b);
  return guarded(rc, fmt, b, from);
}

int hp_report_whatif_to(const hp_wi_table *t, hp_format fmt, hp_wi_write_fn fn,
                        void *ud) {
  hp_buf b;
  hp_buf_init(&b);
  flush_to fl = {fn, ud, fmt == HP_FORMAT_JSON ? 2 : 1, HP_OK};
  int rc = t->kind == HP_WI_SWEEP ? render_sweep(t, fmt, &b, &fl)
                                  : render_mc(t, fmt, &b);
  if (rc == HP_OK) {
    flush_rows(&b, &fl, 1);
    rc = fl.rc;
  }
  hp_buf_cleanup(&b);
  return rc;
}

/* -- batch --------------------------------------------------------------
 *
 * Written as each plan completes (hp_wi_batch_out): CSV and JSON rows go
 * out at once; the aligned table and Markdown need every row's cells for
 * their column widths, so those cells (and the notes under the table) are
 * kept until the end: in memory up to STORE_MEM bytes, then in an unlinked
 * temporary file, so memory does not grow with the rows.
 */

typedef struct batch_row {
  const hp_wi_batch_entry *e;
  const hp_scenario_result *r; /* NULL for a plan that failed to load */
} batch_row;

enum {
  BC_PLAN,
  BC_SCEN,
  BC_STATUS,
  BC_CAPEX,
  BC_OPEX,
  BC_TCO,
  BC_COST,
  BC_PRICE,
  BC_VS_PRICE,
  BC_CARDS,
  BC_SERVERS,
  BC_DOM,
  BC_MIX,
  BC_N
};

#define CELL_MAX 512 /* a cell's bytes, as grid_render's buffer */

/* Column col (BC_*) of a batch row as the table prints it. */
static void batch_cell(const batch_row *br, int col, char *out, size_t size) {
  const hp_scenario_result *r = br->r;
  if (col == BC_PLAN) {
    snprintf(out, size, "%s", br->e->path);
    return;
  }
  if (!r) {
    snprintf(out, size, "%s",
             col == BC_SCEN     ? "-"
             : col == BC_STATUS ? "input error"
                                : "-");
    return;
  }
  if (col == BC_SCEN) {
    snprintf(out, size, "%s", r->name);
    return;
  }
  if (col == BC_STATUS) {
    hp_result_status_word(r, out, size);
    return;
  }
  if (r->status != HP_RESULT_OPTIMAL) {
    snprintf(out, size, "-");
    return;
  }
  switch (col) {
  case BC_CAPEX:
    snprintf(out, size, "%.2f", r->capex_cny / 1e8);
    return;
  case BC_OPEX:
    snprintf(out, size, "%.2f", r->opex_cny_per_year / 1e6);
    return;
  case BC_TCO:
    snprintf(out, size, "%.2f", r->tco_cny / 1e8);
    return;
  case BC_COST:
    snprintf(out, size, "%.4f", r->cost_per_mtok_cny);
    return;
  case BC_PRICE:
    if (r->token_price_per_mtok_cny > 0)
      hp_fmt_sig(r->token_price_per_mtok_cny, 4, out, size);
    else
      snprintf(out, size, "-");
    return;
  case BC_VS_PRICE:
    fmt_vs_price(r->cost_over_price_pct, r->token_price_per_mtok_cny, out,
                 size);
    return;
  case BC_CARDS:
    fmt_cards(r->cards, out, size);
    return;
  case BC_SERVERS:
    fmt_servers(r->servers, out, size);
    return;
  case BC_DOM:
    snprintf(out, size, "%.2f", 100.0 * r->domestic_share_compute);
    return;
  default: {
    size_t used = 0;
    out[0] = '\0';
    for (size_t v = 0; v < r->n_vendors && used + 1 < size; v++) {
      char num[48];
      fmt_cards(r->vendors[v].cards, num, sizeof num);
      int w = snprintf(out + used, size - used, "%s%s %s", v ? ", " : "",
                       r->vendors[v].vendor, num);
      if (w < 0)
        break;
      used += (size_t)w;
    }
    return;
  }
  }
}

/* "  plans/a.yaml: base: why" under the batch table (a list item in
 * Markdown), every part escaped as the format wants. */
static void not_solved_line(hp_buf *b, hp_format fmt, const char *path,
                            const char *name, const char *why) {
  int md = fmt == HP_FORMAT_MD;
  void (*put)(hp_buf *, const char *) = md ? hp_buf_md : hp_buf_text;
  hp_buf_puts(b, md ? "- " : "  ");
  put(b, path);
  hp_buf_puts(b, ": ");
  put(b, name);
  hp_buf_puts(b, ": ");
  put(b, why);
  hp_buf_putc(b, '\n');
}

/* The figures of a batch row, in the order of batch_names. */
static const char *const batch_names[10] = {"capex_cny",
                                            "opex_cny_per_year",
                                            "tco_cny",
                                            "cost_per_mtok_cny",
                                            "token_price_per_mtok_cny",
                                            "cards",
                                            "servers",
                                            "share_compute",
                                            "share_cards",
                                            "share_capex"};
static void batch_values(const hp_scenario_result *r, double v[10]) {
  const double x[10] = {r->capex_cny,
                        r->opex_cny_per_year,
                        r->tco_cny,
                        r->cost_per_mtok_cny,
                        r->token_price_per_mtok_cny,
                        r->cards,
                        r->servers,
                        r->domestic_share_compute,
                        r->domestic_share_cards,
                        r->domestic_share_capex};
  memcpy(v, x, sizeof x);
}

/* One batch row as a JSON object (consumed by jdump); reason is why it was
 * not solved, or NULL. */
static json_t *batch_json_row(const batch_row *br, const char *reason,
                              int *bad) {
  const hp_scenario_result *r = br->r;
  json_t *o = json_object();
  jput(o, "plan", jstr(br->e->path), bad);
  if (r) {
    char word[96];
    int unproven = r->status == HP_RESULT_OPTIMAL && !hp_result_proven(r);
    jput(o, "scenario", jstr(r->name), bad);
    jput(o, "status",
         json_string(unproven ? "feasible" : hp_result_status_name(r->status)),
         bad);
    if (unproven)
      jput(o, "status_text", jstr(hp_result_status_word(r, word, sizeof word)),
           bad);
    if (unproven && isfinite(r->gap))
      jput(o, "gap", jnum(r->gap), bad);
    if (r->within_gap)
      jput(o, "within_gap", json_true(), bad);
    if (r->node_limited && r->status == HP_RESULT_OPTIMAL)
      jput(o, "node_limited", json_true(), bad);
  } else {
    jput(o, "status", json_string("input_error"), bad);
  }
  if (r && r->status == HP_RESULT_OPTIMAL) {
    double v[10];
    batch_values(r, v);
    for (int q = 0; q < 10; q++)
      if (q != 4 || v[q] > 0) /* no token price: left out, not 0 */
        jput(o, batch_names[q], jnum(v[q]), bad);
    json_t *vend = json_object();
    for (size_t k = 0; k < r->n_vendors; k++) {
      json_t *x = json_object();
      jput(x, "cards", jnum(r->vendors[k].cards), bad);
      jput(x, "servers", jnum(r->vendors[k].servers), bad);
      jput(x, "capex_cny", jnum(r->vendors[k].capex_cny), bad);
      jput(vend, r->vendors[k].vendor, x, bad);
    }
    jput(o, "vendors", vend, bad);
  }
  if (reason)
    jput(o, "reason", jstr(reason), bad);
  return o;
}

/* Why a row was not solved (NULL: it was), in msg when from a diag. */
static const char *batch_reason(const batch_row *br, char *msg, size_t size) {
  if (!br->r) {
    hp_diag_format(br->e->diag, msg, size);
    return msg;
  }
  if (br->r->status != HP_RESULT_OPTIMAL)
    return br->r->explanation ? br->r->explanation : "";
  return NULL;
}

/* Records (NUL-terminated strings) kept until the end of a batch: in
 * memory, then, past STORE_MEM bytes, all in an unlinked temporary file. */
#define STORE_MEM 16384
typedef struct store {
  hp_buf mem; /* the records while they fit */
  FILE *f;    /* or every record, once they do not */
  size_t pos; /* reading: offset in mem */
  size_t n;   /* records */
} store;

static int store_put(store *s, const char *rec) {
  size_t n = strlen(rec) + 1;
  if (!s->f && s->mem.len + n > STORE_MEM) {
    if (!(s->f = tmpfile()))
      return HP_EIO;
    if (s->mem.len && fwrite(s->mem.data, 1, s->mem.len, s->f) != s->mem.len)
      return HP_EIO;
    hp_buf_cleanup(&s->mem);
  }
  s->n++;
  if (s->f)
    return fwrite(rec, 1, n, s->f) == n ? HP_OK : HP_EIO;
  hp_buf_append(&s->mem, rec, n);
  return s->mem.oom ? HP_ENOMEM : HP_OK;
}

static int store_rewind(store *s) {
  s->pos = 0;
  return s->f && (fflush(s->f) != 0 || fseek(s->f, 0, SEEK_SET) != 0) ? HP_EIO
                                                                      : HP_OK;
}

/* The next record into out[size] (cut short to fit): HP_OK, or HP_EIO. */
static int store_next(store *s, char *out, size_t size) {
  size_t k = 0;
  if (!s->f) {
    if (s->pos >= s->mem.len)
      return HP_EIO;
    const char *p = s->mem.data + s->pos;
    size_t n = strlen(p);
    k = n < size - 1 ? n : size - 1;
    memcpy(out, p, k);
    s->pos += n + 1;
  } else {
    int ch;
    while ((ch = getc(s->f)) != EOF && ch != 0)
      if (k + 1 < size)
        out[k++] = (char)ch;
    if (ch == EOF)
      return HP_EIO;
  }
  out[k] = '\0';
  return HP_OK;
}

static void store_cleanup(store *s) {
  hp_buf_cleanup(&s->mem);
  if (s->f)
    fclose(s->f);
  memset(s, 0, sizeof *s);
}

struct hp_wi_batch_out {
  hp_format fmt;
  flush_to fl;              /* where the text goes, and the first error */
  hp_buf b;                 /* text not yet handed on */
  size_t n_plans;           /* plans added */
  size_t n_rows;            /* rows added */
  int has_price;            /* some solved row has a token price */
  size_t w[BC_N];           /* table, Markdown: each column's width so far */
  store cells;              /* table, Markdown: BC_N records a row */
  store notes[2];           /* table, Markdown: the not-solved and not-proven
                               lines, formatted */
  char row[BC_N][CELL_MAX]; /* the row being written or read back */
  int rc;                   /* the first error: every later call returns it */
};

static int is_grid(hp_format fmt) {
  return fmt == HP_FORMAT_TABLE || fmt == HP_FORMAT_MD;
}

int hp_report_whatif_batch_out_new(hp_format fmt, hp_wi_write_fn fn, void *ud,
                                   hp_wi_batch_out **out) {
  hp_wi_batch_out *o = hp_calloc(1, sizeof *o);
  if (!o)
    return HP_ENOMEM;
  o->fmt = fmt;
  o->fl = (flush_to){fn, ud, fmt == HP_FORMAT_JSON ? 2 : 1, HP_OK};
  hp_buf_init(&o->b);
  if (fmt == HP_FORMAT_JSON)
    hp_buf_puts(&o->b, "{\n  \"rows\": [\n");
  else if (fmt == HP_FORMAT_CSV)
    hp_buf_puts(&o->b, "plan,scenario,status,capex_cny,opex_cny_per_year,"
                       "tco_cny,cost_per_mtok_cny,token_price_per_mtok_cny,"
                       "cards,servers,share_compute,share_cards,"
                       "share_capex,vendor_cards,reason\n");
  if (o->b.oom) {
    hp_report_whatif_batch_out_free(o);
    return HP_ENOMEM;
  }
  *out = o;
  return HP_OK;
}

/* One row as CSV into b. */
static void batch_csv_row(const batch_row *br, const char *reason, hp_buf *b) {
  const hp_scenario_result *r = br->r;
  char word[96];
  const char *st =
      r ? hp_result_status_word(r, word, sizeof word) : "input_error";
  hp_report_csv_field(b, br->e->path);
  hp_buf_putc(b, ',');
  hp_report_csv_field(b, r ? r->name : "");
  hp_buf_putc(b, ',');
  hp_report_csv_field(b, r ? hp_planner_status_word_csv(word) : st);
  int ok = r && r->status == HP_RESULT_OPTIMAL;
  double vals[10] = {0};
  if (ok)
    batch_values(r, vals);
  for (int q = 0; q < 10; q++) {
    hp_buf_putc(b, ',');
    /* No token price in the plan: left out, not 0. */
    if (ok && (q != 4 || vals[q] > 0))
      hp_report_buf_number(b, vals[q]);
  }
  char mix[1024] = "";
  if (ok) {
    size_t used = 0;
    for (size_t v = 0; v < r->n_vendors && used + 1 < sizeof mix; v++) {
      char num[40];
      int w = snprintf(mix + used, sizeof mix - used, "%s%s=%s", v ? ";" : "",
                       r->vendors[v].vendor,
                       hp_fmt_number(r->vendors[v].cards, num, sizeof num));
      if (w < 0)
        break;
      used += (size_t)w;
    }
  }
  char gap[192], why[160];
  if (!reason && r && hp_report_result_unproven(r, why, sizeof why)) {
    snprintf(gap, sizeof gap, "not proven optimal: %s", why);
    reason = gap;
  }
  hp_buf_putc(b, ',');
  hp_report_csv_field(b, mix);
  hp_buf_putc(b, ',');
  hp_report_csv_field(b, reason ? reason : "");
  hp_buf_putc(b, '\n');
}

/* One row of the table or page: its cells kept, the widths grown, its
 * notes formatted and kept. */
static int batch_grid_row(hp_wi_batch_out *o, const batch_row *br,
                          const char *reason) {
  int md = o->fmt == HP_FORMAT_MD, rc = HP_OK;
  for (int c = 0; c < BC_N && rc == HP_OK; c++) {
    batch_cell(br, c, o->row[c], CELL_MAX);
    size_t l = hp_buf_cell_len(o->row[c], md);
    if (l > o->w[c])
      o->w[c] = l;
    rc = store_put(&o->cells, o->row[c]);
  }
  char why[160];
  for (int k = 0; k < 2 && rc == HP_OK; k++) {
    const char *text =
        k == 0                                                       ? reason
        : br->r && hp_report_result_unproven(br->r, why, sizeof why) ? why
                                                                     : NULL;
    if (!text)
      continue;
    hp_buf line;
    hp_buf_init(&line);
    not_solved_line(&line, o->fmt, br->e->path, br->r ? br->r->name : "(plan)",
                    text);
    rc = line.oom ? HP_ENOMEM : store_put(&o->notes[k], line.data);
    hp_buf_cleanup(&line);
  }
  return rc;
}

int hp_report_whatif_batch_out_add(hp_wi_batch_out *o,
                                   const hp_wi_batch_entry *e) {
  if (o->rc != HP_OK)
    return o->rc;
  size_t nr = e->plan ? hp_plan_count(e->plan) : 1;
  char msg[HP_DIAG_MSG_MAX + HP_DIAG_FILE_MAX + 64];
  int rc = HP_OK;
  o->n_plans++;
  jansson_hp_alloc();
  for (size_t j = 0; j < nr && rc == HP_OK; j++) {
    batch_row br = {e, e->plan ? hp_plan_at(e->plan, j) : NULL};
    const char *reason = batch_reason(&br, msg, sizeof msg);
    o->has_price |= br.r && br.r->token_price_per_mtok_cny > 0;
    if (o->fmt == HP_FORMAT_JSON) {
      int bad = 0;
      json_t *x = batch_json_row(&br, reason, &bad);
      hp_buf_puts(&o->b, o->n_rows ? ",\n    " : "    ");
      rc = jdump(x, bad, &o->b);
    } else if (o->fmt == HP_FORMAT_CSV) {
      batch_csv_row(&br, reason, &o->b);
    } else {
      rc = batch_grid_row(o, &br, reason);
    }
    o->n_rows++;
    flush_rows(&o->b, &o->fl, 0);
  }
  if (rc == HP_OK && o->b.oom)
    rc = HP_ENOMEM;
  if (rc == HP_OK)
    rc = o->fl.rc;
  return o->rc = rc;
}

/* grid_render's fetch and cells over the kept rows; the price columns
 * are left out when no row has a price. */
static int batch_fetch(void *ctxp, size_t ri) {
  hp_wi_batch_out *o = ctxp;
  int rc = ri == 0 ? store_rewind(&o->cells) : HP_OK;
  for (int c = 0; c < BC_N && rc == HP_OK; c++)
    rc = store_next(&o->cells, o->row[c], CELL_MAX);
  return rc;
}

static int batch_col(const hp_wi_batch_out *o, int col) {
  return !o->has_price && col >= BC_PRICE ? col + 2 : col;
}

static void batch_grid_cell(const void *ctxp, size_t ri, int col, char *out,
                            size_t size) {
  const hp_wi_batch_out *o = ctxp;
  (void)ri;
  snprintf(out, size, "%s", o->row[batch_col(o, col)]);
}

/* The notes of kind k under the table, after their title. */
static int batch_notes(hp_wi_batch_out *o, int k, const char *title) {
  store *s = &o->notes[k];
  int rc = s->n ? store_rewind(s) : HP_OK;
  if (s->n)
    hp_buf_puts(&o->b, title);
  for (size_t i = 0; i < s->n && rc == HP_OK; i++) {
    rc = store_next(s, o->row[0], CELL_MAX * BC_N);
    hp_buf_puts(&o->b, o->row[0]);
    flush_rows(&o->b, &o->fl, 0);
  }
  return rc;
}

int hp_report_whatif_batch_out_finish(hp_wi_batch_out *o) {
  int rc = o->rc;
  if (rc == HP_OK && o->fmt == HP_FORMAT_JSON)
    hp_buf_puts(&o->b, o->n_rows ? "\n  ]\n}\n" : "  ]\n}\n");
  if (rc == HP_OK && is_grid(o->fmt)) {
    static const char *const all_head[BC_N] = {"plan",
                                               "scenario",
                                               "status",
                                               "capex (100M CNY)",
                                               "opex (M CNY/yr)",
                                               "TCO (100M CNY)",
                                               "cost (CNY/Mtok)",
                                               "price (CNY/Mtok)",
                                               "cost/price (%)",
                                               "cards",
                                               "servers",
                                               "domestic compute (%)",
                                               "cards by vendor"};
    static const int all_right[BC_N] = {0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0};
    const char *head[BC_N];
    int right[BC_N];
    int nc = 0;
    for (int q = 0; q < BC_N; q++) {
      if ((q == BC_PRICE || q == BC_VS_PRICE) && !o->has_price)
        continue;
      head[nc] = all_head[q];
      right[nc++] = all_right[q];
    }
    if (o->fmt == HP_FORMAT_TABLE)
      hp_buf_printf(&o->b, "Batch: %zu plan%s, %zu rows\n\n", o->n_plans,
                    o->n_plans == 1 ? "" : "s", o->n_rows);
    grid g = {nc, head, right, o->n_rows, batch_grid_cell, o, batch_fetch};
    rc = grid_render(&g, &o->b, o->fmt == HP_FORMAT_MD, &o->fl);
    if (rc == HP_OK)
      rc = batch_notes(o, 0, "\nNot solved:\n");
    if (rc == HP_OK)
      rc = batch_notes(o, 1,
                       "\nfeasible, not proven optimal (solver.mip_gap, "
                       "solver.node_limit or a repaired plan):\n");
    if (rc == HP_OK && o->fmt == HP_FORMAT_TABLE)
      hp_buf_puts(&o->b, "\nCapex and TCO in 100M CNY (1e8 CNY); opex is "
                         "electricity per year; cost per million tokens = "
                         "TCO / tokens served over the TCO horizon.\n");
  }
  if (rc == HP_OK && o->b.oom)
    rc = HP_ENOMEM;
  if (rc == HP_OK) {
    flush_rows(&o->b, &o->fl, 1);
    rc = o->fl.rc;
  }
  return o->rc = rc;
}

void hp_report_whatif_batch_out_free(hp_wi_batch_out *o) {
  if (!o)
    return;
  hp_buf_cleanup(&o->b);
  store_cleanup(&o->cells);
  store_cleanup(&o->notes[0]);
  store_cleanup(&o->notes[1]);
  hp_free(o);
}

/* hp_report_whatif_batch's receiver: the caller's buffer. */
static int append_to(const char *data, size_t len, void *ud) {
  hp_buf *b = ud;
  hp_buf_append(b, data, len);
  return b->oom ? HP_ENOMEM : HP_OK;
}

int hp_report_whatif_batch(const hp_wi_batch_entry *e, size_t n, hp_format fmt,
                           hp_buf *b) {
  hp_wi_batch_out *o = NULL;
  int rc = hp_report_whatif_batch_out_new(fmt, append_to, b, &o);
  for (size_t i = 0; i < n && rc == HP_OK; i++)
    rc = hp_report_whatif_batch_out_add(o, &e[i]);
  if (rc == HP_OK)
    rc = hp_report_whatif_batch_out_finish(o);
  hp_report_whatif_batch_out_free(o);
  return rc;
}
