/* report.c - format names, the render dispatcher, shared formatting. */
#include "report.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "mem.h"
#include "yamlx.h"

int hp_format_parse(const char *s, hp_format *out) {
  assert(s && out);
  static const char *const names[] = {"table", "json", "csv",
                                      "md",    "xlsx", "html"};
  for (int i = 0; i < 6; i++)
    if (strcmp(s, names[i]) == 0) {
      *out = (hp_format)i;
      return HP_OK;
    }
  if (strcmp(s, "markdown") == 0) {
    *out = HP_FORMAT_MD;
    return HP_OK;
  }
  return HP_EINVAL;
}

const char *hp_report_result_unproven(const hp_scenario_result *r, char *buf,
                                      size_t size) {
  char n[48];
  if (r->status != HP_RESULT_OPTIMAL)
    return NULL;
  if (r->node_limited) {
    hp_fmt_grouped(r->node_limit, 0, n, sizeof n);
    char g[48];
    if (isfinite(r->gap))
      snprintf(buf, size,
               "stopped at solver.node_limit (%s nodes), within %s%% of the "
               "optimum",
               n, hp_fmt_sig(100 * r->gap, 3, g, sizeof g));
    else
      snprintf(buf, size,
               "stopped at solver.node_limit (%s nodes), with no bound on the "
               "optimum",
               n);
    return buf;
  }
  if (r->within_gap) {
    char g1[48], g2[48];
    snprintf(buf, size, "within %s%% (solver.mip_gap %s)",
             hp_fmt_sig(100 * r->mip_gap, 3, g1, sizeof g1),
             hp_fmt_sig(r->mip_gap, 6, g2, sizeof g2));
    return buf;
  }
  if (r->repaired) {
    /* issue 19: a point mended after it missed a row by rounding. */
    char g[40] = "under 0.000000000001%";
    double pct = 100 * r->gap;
    if (!isfinite(r->gap))
      snprintf(g, sizeof g, "an unknown share");
    else if (pct >= 0.001)
      snprintf(g, sizeof g, "%s%%", hp_fmt_sig(pct, 3, (char[40]){0}, 40));
    else if (pct >= 1e-12)
      snprintf(g, sizeof g, "%.*f%%", 2 - (int)floor(log10(pct)), pct);
    snprintf(buf, size,
             "the solver's plan missed a constraint by rounding and was "
             "repaired, within %s of the solver's optimum",
             g);
    return buf;
  }
  return NULL;
}

/* A decimal number and nothing else ("-12", "+3.5e-2"): a spreadsheet
 * reads it as a number, not a formula, so it keeps its sign. */
static int plain_number(const char *s) {
  int digits = 0;
  if (*s == '+' || *s == '-')
    s++;
  for (; *s >= '0' && *s <= '9'; s++)
    digits++;
  if (*s == '.')
    for (s++; *s >= '0' && *s <= '9'; s++)
      digits++;
  if (!digits)
    return 0;
  if (*s == 'e' || *s == 'E') {
    s++;
    if (*s == '+' || *s == '-')
      s++;
    if (!(*s >= '0' && *s <= '9'))
      return 0;
    while (*s >= '0' && *s <= '9')
      s++;
  }
  return *s == '\0';
}

/* 1 when s is plain printable ASCII that needs no quote, no escape and no
 * formula guard: the common case, written without a copy. */
static int csv_plain(const char *s) {
  if (*s && strchr("=+-@", *s))
    return 0;
  for (; *s; s++)
    if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f || *s == ',' ||
        *s == '"')
      return 0;
  return 1;
}

void hp_report_csv_field(hp_buf *b, const char *s) {
  if (!s)
    return;
  if (csv_plain(s)) {
    hp_buf_puts(b, s);
    return;
  }
  hp_buf t;
  hp_buf_init(&t);
  /* OWASP's CSV-injection rule: a text cell that a spreadsheet would run
   * as a formula gets a leading single quote. */
  if (*s && strchr("=+-@\t\r", *s) && !plain_number(s))
    hp_buf_putc(&t, '\'');
  hp_buf_text(&t, s); /* no line breaks or control characters are left */
  if (t.oom) {
    b->oom = 1;
  } else if (!t.data) {
    /* empty */
  } else if (strpbrk(t.data, ",\"") == NULL) {
    hp_buf_append(b, t.data, t.len);
  } else {
    hp_buf_putc(b, '"');
    for (const char *p = t.data; *p; p++) {
      if (*p == '"')
        hp_buf_putc(b, '"');
      hp_buf_putc(b, *p);
    }
    hp_buf_putc(b, '"');
  }
  hp_buf_cleanup(&t);
}

void hp_report_buf_number(hp_buf *b, double v) {
  char num[40];
  hp_buf_puts(b, hp_fmt_number(v, num, sizeof num));
}

int hp_report_render(const hp_plan *p, hp_format fmt, char **out, size_t *len,
                     hp_diag *d) {
  assert(p && out);
  if (fmt == HP_FORMAT_XLSX || fmt == HP_FORMAT_HTML)
    return hp_diag_set(d, HP_EINVAL, NULL, 0, 0,
                       "a workbook or HTML page shows the plan's inputs too: "
                       "render it with hp_report_xlsx or hp_report_html");
  hp_buf b;
  hp_buf_init(&b);
  int rc = HP_OK;
  switch (fmt) {
  case HP_FORMAT_JSON:
    rc = hp_report_json(p, &b);
    break;
  case HP_FORMAT_CSV:
    hp_report_text_csv(p, &b);
    break;
  case HP_FORMAT_MD:
    hp_report_text_md(p, &b);
    break;
  default:
    hp_report_text_table(p, &b);
    break;
  }
  if (rc != HP_OK) {
    hp_buf_cleanup(&b);
    return hp_diag_oom(d);
  }
  if (hp_buf_detach(&b, out, len) != HP_OK)
    return hp_diag_oom(d);
  return HP_OK;
}

/* The end of a catalog render: the safety net under vendor and card names
 * (buf.h: the renderers escape each name, this catches one they missed),
 * then the text handed over; b is consumed. */
static int finish_catalog(hp_buf *b, hp_format fmt, int rc, char **out,
                          size_t *len, hp_diag *d) {
  if (rc == HP_OK)
    rc = fmt == HP_FORMAT_JSON ? hp_buf_json_guard(b, 0) : hp_buf_guard(b, 0);
  if (rc != HP_OK) {
    hp_buf_cleanup(b);
    return hp_diag_oom(d);
  }
  if (hp_buf_detach(b, out, len) != HP_OK)
    return hp_diag_oom(d);
  return HP_OK;
}

int hp_catalog_render(const hp_catalog *c, hp_format fmt, char **out,
                      size_t *len, hp_diag *d) {
  assert(c && out);
  if (fmt == HP_FORMAT_XLSX || fmt == HP_FORMAT_HTML)
    return hp_diag_set(d, HP_EINVAL, NULL, 0, 0,
                       "the catalog is written as table, json, csv or md");
  hp_buf b;
  hp_buf_init(&b);
  int rc = HP_OK;
  switch (fmt) {
  case HP_FORMAT_JSON:
    rc = hp_report_json_catalog(c, &b);
    break;
  case HP_FORMAT_CSV:
    hp_report_text_catalog_csv(c, &b);
    break;
  default:
    hp_report_text_catalog_table(c, &b, fmt == HP_FORMAT_MD);
    break;
  }
  return finish_catalog(&b, fmt, rc, out, len, d);
}

int hp_catalog_render_device(const hp_catalog *c, const char *id, hp_format fmt,
                             char **out, size_t *len, hp_diag *d) {
  assert(c && id && out);
  const hp_device_spec *s = hp_catalog_find(c, id);
  if (!s) {
    const char *sug = hp_catalog_suggest(c, id);
    return hp_diag_set(
        d, HP_ENODEV, NULL, 0, 0, "no card '%.100s' in the catalog%s%s%s", id,
        sug ? " (did you mean '" : "", sug ? sug : "", sug ? "'?)" : "");
  }
  hp_buf b;
  hp_buf_init(&b);
  int rc = HP_OK;
  switch (fmt) {
  case HP_FORMAT_JSON:
    rc = hp_report_json_device(s, &b);
    break;
  case HP_FORMAT_CSV:
    hp_report_text_device_csv(s, &b);
    break;
  default:
    hp_report_text_device_table(s, &b, fmt == HP_FORMAT_MD);
    break;
  }
  return finish_catalog(&b, fmt, rc, out, len, d);
}
