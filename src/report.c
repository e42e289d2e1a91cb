/* report.c - format names, the render dispatcher, shared formatting. */
#include "report.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "catalog.h"
#include "mem.h"
#include "yamlx.h"

double hp_result_sustained_tokens_per_day(const hp_scenario_result *r) {
  return r->delivered_tokens_per_s / (r->peak_factor > 0 ? r->peak_factor : 1) *
         r->seconds_per_day;
}

const char *hp_result_status_name(hp_result_status s) {
  switch (s) {
  case HP_RESULT_OPTIMAL:
    return "optimal";
  case HP_RESULT_INFEASIBLE:
    return "infeasible";
  default:
    return "error";
  }
}

int hp_format_parse(const char *s, hp_format *out) {
  static const char *const names[] = {"table", "json", "csv", "md"};
  for (int i = 0; i < 4; i++)
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

char *hp_fmt_grouped(double v, int decimals, char *buf, size_t size) {
  char raw[64];
  if (!isfinite(v)) {
    snprintf(buf, size, "%s", isnan(v) ? "nan" : (v > 0 ? "inf" : "-inf"));
    return buf;
  }
  /* Past a quadrillion, digit groups stop being readable (and a 1e30
   * would overflow the buffers): scientific notation. */
  if (fabs(v) >= 1e15) {
    snprintf(buf, size, "%.6g", v);
    return buf;
  }
  snprintf(raw, sizeof raw, "%.*f", decimals, fabs(v));
  const char *dot = strchr(raw, '.');
  size_t int_len = dot ? (size_t)(dot - raw) : strlen(raw);
  char out[96];
  size_t o = 0;
  int neg = v < 0 && strspn(raw, "0.") != strlen(raw);
  if (neg)
    out[o++] = '-';
  for (size_t i = 0; i < int_len; i++) {
    if (i && (int_len - i) % 3 == 0)
      out[o++] = ',';
    out[o++] = raw[i];
  }
  if (dot)
    for (const char *p = dot; *p && o < sizeof out - 1; p++)
      out[o++] = *p;
  out[o] = '\0';
  snprintf(buf, size, "%s", out);
  return buf;
}

const char *hp_result_unproven(const hp_scenario_result *r, char *buf,
                               size_t size) {
  char n[48];
  if (r->status != HP_RESULT_OPTIMAL)
    return NULL;
  if (r->node_limited) {
    hp_fmt_grouped(r->node_limit, 0, n, sizeof n);
    if (isfinite(r->gap))
      snprintf(buf, size,
               "stopped at solver.node_limit (%s nodes), within %.3g%% of the "
               "optimum",
               n, 100 * r->gap);
    else
      snprintf(buf, size,
               "stopped at solver.node_limit (%s nodes), with no bound on the "
               "optimum",
               n);
    return buf;
  }
  if (r->within_gap) {
    snprintf(buf, size, "within %.3g%% (solver.mip_gap %g)", 100 * r->mip_gap,
             r->mip_gap);
    return buf;
  }
  return NULL;
}

void hp_csv_field(hp_buf *b, const char *s) {
  if (!s)
    return;
  if (strpbrk(s, ",\"\n\r") == NULL) {
    hp_buf_puts(b, s);
    return;
  }
  hp_buf_putc(b, '"');
  for (; *s; s++) {
    if (*s == '"')
      hp_buf_putc(b, '"');
    hp_buf_putc(b, *s);
  }
  hp_buf_putc(b, '"');
}

void hp_buf_number(hp_buf *b, double v) {
  char num[40];
  hp_buf_puts(b, hp_format_number(v, num, sizeof num));
}

int hp_report_render(const hp_plan *p, hp_format fmt, char **out, size_t *len,
                     hp_diag *d) {
  hp_buf b;
  hp_buf_init(&b);
  int rc = HP_OK;
  switch (fmt) {
  case HP_FORMAT_JSON:
    rc = hp_report_json(p, &b);
    break;
  case HP_FORMAT_CSV:
    hp_report_csv(p, &b);
    break;
  case HP_FORMAT_MD:
    hp_report_md(p, &b);
    break;
  default:
    hp_report_table(p, &b);
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

int hp_catalog_render(const hp_catalog *c, hp_format fmt, char **out,
                      size_t *len, hp_diag *d) {
  hp_buf b;
  hp_buf_init(&b);
  int rc = HP_OK;
  switch (fmt) {
  case HP_FORMAT_JSON:
    rc = hp_catalog_json(c, &b);
    break;
  case HP_FORMAT_CSV:
    hp_catalog_csv(c, &b);
    break;
  default:
    hp_catalog_table(c, &b, fmt == HP_FORMAT_MD);
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

int hp_catalog_render_device(const hp_catalog *c, const char *id, hp_format fmt,
                             char **out, size_t *len, hp_diag *d) {
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
    rc = hp_device_json(s, &b);
    break;
  case HP_FORMAT_CSV:
    hp_device_csv(s, &b);
    break;
  default:
    hp_device_table(s, &b, fmt == HP_FORMAT_MD);
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
