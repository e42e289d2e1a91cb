/* report_html.c - one self-contained HTML page of a plan, batch, sweep or
 * Monte Carlo run: the sheets of report_doc.c as tables, the chart as
 * inline SVG drawn by chart.c (cairo's SVG surface), inline CSS that prints
 * on A4. No script, no link, no image or font fetched from anywhere: the
 * page reads the same offline, in a mail client or printed.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "chart.h"
#include "mem.h"
#include "numfmt.h"
#include "periods.h"
#include "report_doc.h"

/* Tables longer than this are cut in the page (a sweep can have a million
 * rows); the note says so and the workbook or CSV has them all. */
#define HTML_MAX_ROWS 2000

static const char *const css =
    "body{font:10pt/1.35 'DejaVu Sans',Arial,sans-serif;color:#222;"
    "margin:16px auto;max-width:1180px;padding:0 12px}"
    "h1{font-size:16pt;margin:0 0 4px}h2{font-size:13pt;margin:22px 0 6px;"
    "border-bottom:1px solid #9ab;padding-bottom:2px}"
    "h3{font-size:10.5pt;margin:12px 0 4px}"
    ".meta,.note{color:#555;font-size:9pt}"
    "nav a{margin-right:12px}"
    "table{border-collapse:collapse;font-size:8.5pt;margin:4px 0 10px}"
    "th,td{border:1px solid #ccd;padding:2px 5px;vertical-align:top}"
    "th{background:#dde4ee;text-align:left}"
    "td.n{text-align:right;white-space:nowrap;font-variant-numeric:"
    "tabular-nums}"
    "figure{margin:8px 0}figure svg{max-width:100%;height:auto}"
    ".t{overflow-x:auto}"
    "@page{size:A4 landscape;margin:10mm}"
    "@media print{body{max-width:none;margin:0;padding:0}nav{display:none}"
    ".t{overflow:visible}"
    "table{font-size:7pt}thead{display:table-header-group}"
    "tr,figure{break-inside:avoid}h2,h3{break-after:avoid}}";

/* Text as HTML: the five special characters as entities, a control
 * character as a visible \xNN (no markup ever comes from a name). */
static void esc(hp_buf *b, const char *s) {
  for (; s && *s; s++) {
    unsigned char c = (unsigned char)*s;
    switch (c) {
    case '&':
      hp_buf_puts(b, "&amp;");
      break;
    case '<':
      hp_buf_puts(b, "&lt;");
      break;
    case '>':
      hp_buf_puts(b, "&gt;");
      break;
    case '"':
      hp_buf_puts(b, "&quot;");
      break;
    case '\'':
      hp_buf_puts(b, "&#39;");
      break;
    default:
      if (c < 0x20 || c == 0x7f)
        hp_buf_printf(b, "\\x%02x", c);
      else
        hp_buf_putc(b, (char)c);
    }
  }
}

static void number(hp_buf *b, double v, hp_col_fmt f) {
  char n[64];
  switch (f) {
  case HP_COL_INT:
    hp_buf_puts(b, hp_fmt_grouped(v, 0, n, sizeof n));
    break;
  case HP_COL_DEC2:
    hp_buf_puts(b, hp_fmt_grouped(v, 2, n, sizeof n));
    break;
  case HP_COL_DEC1:
    hp_buf_puts(b, hp_fmt_grouped(v, 1, n, sizeof n));
    break;
  case HP_COL_PCT:
    hp_buf_printf(b, "%s%%", hp_fmt_grouped(100 * v, 1, n, sizeof n));
    break;
  default:
    hp_buf_puts(b, hp_fmt_sig(v, 6, n, sizeof n));
    break;
  }
}

static void table(hp_buf *b, const hp_doc_table *t) {
  hp_buf_puts(b, "<h3>");
  esc(b, t->title);
  hp_buf_puts(b, "</h3>\n");
  if (t->n_rows == 0) {
    hp_buf_puts(b, "<p class=\"note\">None.</p>\n");
    return;
  }
  hp_buf_puts(b, "<div class=\"t\"><table>\n<thead><tr>");
  for (size_t c = 0; c < t->n_cols; c++) {
    hp_buf_puts(b, "<th>");
    esc(b, t->head[c]);
    hp_buf_puts(b, "</th>");
  }
  hp_buf_puts(b, "</tr></thead>\n<tbody>\n");
  size_t n = t->n_rows < HTML_MAX_ROWS ? t->n_rows : HTML_MAX_ROWS;
  for (size_t i = 0; i < n; i++) {
    hp_buf_puts(b, "<tr>");
    for (size_t c = 0; c < t->n_cols; c++) {
      const hp_doc_cell *x = &t->cells[i * t->n_cols + c];
      if (x->kind == 1) {
        hp_buf_puts(b, "<td class=\"n\">");
        number(b, x->v, t->fmt[c]);
      } else {
        hp_buf_puts(b, "<td>");
        if (x->kind == 2)
          esc(b, x->s);
      }
      hp_buf_puts(b, "</td>");
    }
    hp_buf_puts(b, "</tr>\n");
  }
  hp_buf_puts(b, "</tbody></table></div>\n");
  if (n < t->n_rows) {
    char a[48], c[48];
    hp_buf_printf(b,
                  "<p class=\"note\">The first %s of %s rows; the workbook "
                  "(-o FILE.xlsx) and CSV have them all.</p>\n",
                  hp_fmt_grouped((double)n, 0, a, sizeof a),
                  hp_fmt_grouped((double)t->n_rows, 0, c, sizeof c));
  }
}

/* The document's chart as SVG (hp_free), or NULL when there is none or the
 * build has no cairo (the page then says so). */
static void inline_svg(hp_buf *b, const char *svg, size_t len);

/* A plan with periods: one schedule chart per solved scenario, each an
 * inline SVG, one after the other. */
static int schedule_svgs(const hp_doc_schedule *S, char **svg, size_t *len,
                         hp_diag *d) {
  hp_buf b;
  hp_buf_init(&b);
  int rc = HP_OK;
  for (size_t i = 0; i < S->n && rc == HP_OK; i++) {
    const hp_periods_result *r = &S->results[i];
    if (r->status != HP_RESULT_OPTIMAL)
      continue;
    char *one = NULL;
    size_t n = 0;
    rc = hp_chart_periods(r, HP_CHART_SVG, &one, &n, d);
    if (rc == HP_OK) {
      /* cairo names its glyphs and clips "glyph0-1", "clip1" in every
       * SVG: ids are unique in one page only with a prefix per chart. */
      hp_buf in;
      hp_buf_init(&in);
      inline_svg(&in, one, n);
      char pre[32];
      snprintf(pre, sizeof pre, "c%zu-", i);
      static const char *const refs[] = {"id=\"", "href=\"#", "url(#"};
      for (const char *q = in.data; q && *q;) {
        size_t k = 0, m = 0;
        for (; k < 3; k++)
          if (strncmp(q, refs[k], m = strlen(refs[k])) == 0)
            break;
        if (k < 3) {
          hp_buf_append(&b, q, m);
          hp_buf_puts(&b, pre);
          q += m;
        } else {
          hp_buf_putc(&b, *q++);
        }
      }
      b.oom |= in.oom;
      hp_buf_cleanup(&in);
      hp_buf_putc(&b, '\n');
    }
    hp_free(one);
  }
  if (rc == HP_OK && b.len == 0)
    rc = hp_diag_set(d, HP_EINVAL, NULL, 0, 0, "no scenario has a schedule");
  if (rc == HP_OK && (b.oom || hp_buf_detach(&b, svg, len) != HP_OK))
    rc = hp_diag_oom(d);
  hp_buf_cleanup(&b);
  return rc;
}

static int chart_svg(const hp_doc *doc, char **svg, size_t *len, hp_diag *d) {
  *svg = NULL;
  *len = 0;
  int rc = HP_OK;
  if (hp_report_doc_schedule_of(doc))
    return schedule_svgs(hp_report_doc_schedule_of(doc), svg, len, d);
  if (doc->table) {
    if (doc->table->kind == HP_WI_MONTECARLO)
      rc = hp_chart_montecarlo(doc->table, 0, HP_CHART_SVG, svg, len, d);
    else if (doc->table->n_keys == 1)
      rc = hp_chart_sweep(doc->table, 0, HP_CHART_SVG, svg, len, d);
    return rc;
  }
  hp_wi_batch_entry *e = hp_calloc(doc->n_plans ? doc->n_plans : 1, sizeof *e);
  if (!e)
    return hp_diag_oom(d);
  for (size_t i = 0; i < doc->n_plans; i++) {
    e[i].path = doc->plans[i].path;
    e[i].plan = doc->plans[i].plan;
    e[i].diag = doc->plans[i].diag;
    e[i].status = doc->plans[i].plan ? HP_OK : HP_EINVAL;
  }
  rc = hp_chart_batch(e, doc->n_plans, HP_CHART_SVG, svg, len, d);
  hp_free(e);
  return rc;
}

/* The SVG document without its XML declaration, inline. */
static void inline_svg(hp_buf *b, const char *svg, size_t len) {
  const char *p = svg, *end = svg + len;
  if (len > 5 && strncmp(p, "<?xml", 5) == 0) {
    const char *q = strstr(p, "?>");
    if (q)
      p = q + 2;
  }
  while (p < end && (*p == '\n' || *p == '\r' || *p == ' '))
    p++;
  hp_buf_append(b, p, (size_t)(end - p));
}

int hp_report_html(const hp_doc *doc, char **out, size_t *len, hp_diag *d) {
  hp_doc_sheets s;
  int rc = hp_report_doc_build(doc, &s, d);
  if (rc != HP_OK)
    return rc;
  char *svg = NULL;
  size_t svg_len = 0;
  hp_diag cd;
  hp_diag_clear(&cd);
  int crc = chart_svg(doc, &svg, &svg_len, &cd);
  if (crc == HP_ENOMEM) {
    hp_report_doc_sheets_cleanup(&s);
    return hp_diag_oom(d);
  }
  hp_buf b;
  hp_buf_init(&b);
  hp_buf_puts(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta "
                  "charset=\"utf-8\">\n<title>");
  esc(&b, s.title);
  hp_buf_printf(&b, "</title>\n<style>%s</style>\n</head>\n<body>\n<h1>", css);
  esc(&b, s.title);
  hp_buf_printf(&b,
                "</h1>\n<p class=\"meta\">hetplan %s; every figure with its "
                "unit; the inputs and the card figures behind it are in "
                "Assumptions and Sources.</p>\n<nav>",
                HP_VERSION);
  for (int i = 0; i < s.n_sheets; i++)
    hp_buf_printf(&b, "<a href=\"#s%d\">%s</a>", i, s.sheet[i].name);
  hp_buf_puts(&b, "</nav>\n");
  int chart_done = 0;
  for (int i = 0; i < s.n_sheets; i++) {
    const hp_doc_sheet *sh = &s.sheet[i];
    hp_buf_printf(&b, "<section id=\"s%d\">\n<h2>%s</h2>\n", i, sh->name);
    if (sh->note && *sh->note) {
      hp_buf_puts(&b, "<p class=\"note\">");
      esc(&b, sh->note);
      hp_buf_puts(&b, "</p>\n");
    }
    for (size_t k = 0; k < sh->n_tables; k++) {
      const hp_doc_table *t = &sh->tables[k];
      if (t->chart != HP_DOC_CHART_NONE && !chart_done) {
        chart_done = 1;
        hp_buf_puts(&b, "<figure>\n");
        if (svg)
          inline_svg(&b, svg, svg_len);
        else {
          hp_buf_puts(&b, "<p class=\"note\">No chart: ");
          esc(&b, crc == HP_OK ? "this run has none" : cd.msg);
          hp_buf_puts(&b, ".</p>");
        }
        hp_buf_puts(&b, "\n<figcaption class=\"note\">");
        esc(&b, t->chart_title);
        hp_buf_puts(&b, "</figcaption>\n</figure>\n");
      }
      table(&b, t);
    }
    hp_buf_puts(&b, "</section>\n");
  }
  hp_buf_puts(&b, "</body>\n</html>\n");
  hp_free(svg);
  hp_report_doc_sheets_cleanup(&s);
  if (b.oom || hp_buf_detach(&b, out, len) != HP_OK) {
    hp_buf_cleanup(&b);
    return hp_diag_oom(d);
  }
  return HP_OK;
}
