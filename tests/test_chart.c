/* test_chart.c - the charts' helpers, and charts of edge cases drawn whole.
 *
 *  - axes: the top of a widened range is a tick; one label format per axis
 *    (grouped thousands, large ones in words), whole-number count axes;
 *  - eliding measured text (with a fake width: 10 px per code point) at
 *    the end or in the middle, a kept suffix, UTF-8 left whole;
 *  - vendor colours: fixed for the catalog's vendors, far apart (CIEDE2000),
 *    independent of order and of the other vendors drawn;
 *  - titles and subtitles: counts of the drawn scenario only, which
 *    scenario of how many, errors counted, "no optimal sample", TCO when
 *    only TCO moves, units from the tables;
 *  - sweep and Monte Carlo charts of edge cases (one point, nothing
 *    feasible, rejected values, no optimal sample) drawn as PNG and SVG,
 *    when cairo can be loaded.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hetplan.h"
#include "chart.h"
#include "mem.h"
#include "whatif.h"

#include "test_catalogs.h"

/* The chart library's own state is freed too, for valgrind. */
static int teardown(void **state) {
  hp_chart_shutdown();
  return catalogs_teardown(state);
}

/* ----------------------------------------------------------------------------
 * Axes
 * ------------------------------------------------------------------------- */

static void label(const hp_chart_axis *a, double v, const char *want) {
  char buf[64];
  hp_chart_axis_label(a, v, buf, sizeof buf);
  if (strcmp(buf, want) != 0)
    fail_msg("label of %.17g: got '%s', want '%s'", v, buf, want);
}

/* The step is computed once: a widened range ends on a tick, whatever the
 * data's top (the old chart recomputed it on the widened range and could
 * lose the top tick). */
static void axis_top_is_a_tick(void **state) {
  (void)state;
  for (int i = 1; i < 5000; i++) {
    double top = 0.37 * i * pow(1.7, i % 13) * 1.05;
    hp_chart_axis a;
    hp_chart_axis_fit(0, top, 6, HP_AXIS_WIDEN, &a);
    int n = hp_chart_axis_ticks(&a);
    assert_true(n >= 2 && n <= 13);
    assert_true(a.hi >= top);
    assert_true(fabs(hp_chart_axis_tick(&a, n - 1) - a.hi) <= a.step * 1e-6);
    assert_true(hp_chart_axis_tick(&a, 0) == 0);
  }
}

static void axis_one_format(void **state) {
  (void)state;
  hp_chart_axis a;
  /* Fixed, thousands grouped, as many decimals as the step needs. */
  hp_chart_axis_fit(0, 1.2e7, 6, HP_AXIS_WIDEN, &a);
  assert_int_equal(a.sci, 0);
  label(&a, 0, "0");
  label(&a, 2e6, "2,000,000");
  label(&a, 1.2e7, "12,000,000");
  hp_chart_axis_fit(0, 1, 6, HP_AXIS_WIDEN, &a);
  label(&a, 0, "0.0");
  label(&a, 0.6000000000000001, "0.6");
  label(&a, -1e-17, "0.0"); /* never "-0.0" */
  hp_chart_axis_fit(0.45, 0.55, 8, 0, &a);
  label(&a, 0.5, "0.50");
  /* From 1e9 in words, never an exponent ("1.0e12" was the axis of a
   * tokens/day sweep), one format across the axis. */
  hp_chart_axis_fit(1e14, 1e15, 8, 0, &a);
  assert_int_equal(a.sci, 15);
  label(&a, 1e14, "0.1 quadrillion");
  label(&a, 5e14, "0.5 quadrillion");
  label(&a, 1e15, "1.0 quadrillion");
  hp_chart_axis_fit(1e12, 8e12, 8, 0, &a);
  label(&a, 1e12, "1 trillion");
  label(&a, 4e12, "4 trillion");
  hp_chart_axis_fit(2e9, 3e9, 6, 0, &a);
  label(&a, 2.5e9, "2.5 billion");
  /* Tiny steps: their zeros printed, zero plain. */
  hp_chart_axis_fit(0, 1e-5, 8, 0, &a);
  assert_int_equal(a.sci, 0);
  label(&a, 0, "0.000000");
  label(&a, 2e-6, "0.000002");
  label(&a, 1e-5, "0.000010");
  /* The ticks are exact multiples, computed afresh (no drift). */
  hp_chart_axis_fit(0, 1, 10, 0, &a);
  label(&a, hp_chart_axis_tick(&a, 3), "0.3");
}

static void axis_counts_whole(void **state) {
  (void)state;
  hp_chart_axis a;
  hp_chart_axis_fit(0, 1.08, 6, HP_AXIS_WIDEN | HP_AXIS_WHOLE, &a);
  assert_true(a.step == 1);
  assert_int_equal(a.decimals, 0);
  assert_int_equal(hp_chart_axis_ticks(&a), 3);
  label(&a, 1, "1");
  label(&a, 2, "2");
  hp_chart_axis_fit(0, 3.24, 6, HP_AXIS_WIDEN | HP_AXIS_WHOLE, &a);
  for (int i = 0; i < hp_chart_axis_ticks(&a); i++) {
    double v = hp_chart_axis_tick(&a, i);
    assert_true(v == floor(v));
  }
  /* An empty count range still has whole ticks. */
  hp_chart_axis_fit(0, 0, 6, HP_AXIS_WIDEN | HP_AXIS_WHOLE, &a);
  assert_true(a.step >= 1);
}

static void grouped_numbers(void **state) {
  (void)state;
  char b[64];
  hp_chart_format_grouped(1234567.891, 2, b, sizeof b);
  assert_string_equal(b, "1,234,567.89");
  hp_chart_format_grouped(-1234.6, 0, b, sizeof b);
  assert_string_equal(b, "-1,235");
  hp_chart_format_grouped(999.999, 2, b, sizeof b);
  assert_string_equal(b, "1,000.00");
  hp_chart_format_grouped(-0.0001, 2, b, sizeof b);
  assert_string_equal(b, "0.00");
  hp_chart_format_grouped(591, 0, b, sizeof b);
  assert_string_equal(b, "591");
}

/* ----------------------------------------------------------------------------
 * Eliding
 * ------------------------------------------------------------------------- */

/* 10 px per code point. */
static double fake_width(const char *s, void *ud) {
  (void)ud;
  double n = 0;
  for (; *s; s++)
    n += ((unsigned char)*s & 0xC0) != 0x80;
  return 10 * n;
}

static void elide_end_and_middle(void **state) {
  (void)state;
  char b[256];
  assert_int_equal(hp_chart_elide("abcdefghij", NULL, 100, HP_ELIDE_END,
                                  fake_width, NULL, b, sizeof b),
                   0);
  assert_string_equal(b, "abcdefghij");
  assert_int_equal(hp_chart_elide("abcdefghij", NULL, 60, HP_ELIDE_END,
                                  fake_width, NULL, b, sizeof b),
                   1);
  assert_string_equal(b, "abcde\xe2\x80\xa6");
  hp_chart_elide("abcdefghij", NULL, 60, HP_ELIDE_MIDDLE, fake_width, NULL, b,
                 sizeof b);
  assert_string_equal(b, "abc\xe2\x80\xa6ij");
  /* Batch names: the distinguishing start and end both stay. */
  hp_chart_elide("scenario-07-demand-2.75x-with-a-very-long-descriptive-name",
                 NULL, 250, HP_ELIDE_MIDDLE, fake_width, NULL, b, sizeof b);
  assert_string_equal(b, "scenario-07-\xe2\x80\xa6"
                         "riptive-name");
  assert_true(fake_width(b, NULL) <= 250);
  /* No room even for the ellipsis: nothing. */
  assert_int_equal(hp_chart_elide("abc", NULL, 5, HP_ELIDE_END, fake_width,
                                  NULL, b, sizeof b),
                   -1);
  assert_string_equal(b, "");
  /* No "word …". */
  hp_chart_elide("ab cdef", NULL, 40, HP_ELIDE_END, fake_width, NULL, b,
                 sizeof b);
  assert_string_equal(b, "ab\xe2\x80\xa6");
}

static void elide_keeps_suffix_and_utf8(void **state) {
  (void)state;
  char b[256];
  hp_chart_elide("MetaX Integrated Circuits (Shanghai) Co (import)",
                 " (import)", 150, HP_ELIDE_END, fake_width, NULL, b, sizeof b);
  assert_string_equal(b, "MetaX\xe2\x80\xa6 (import)");
  /* A suffix that is not there is not kept. */
  hp_chart_elide("abcdefghij", " (import)", 60, HP_ELIDE_END, fake_width, NULL,
                 b, sizeof b);
  assert_string_equal(b, "abcde\xe2\x80\xa6");
  /* Code points are never split. */
  const char *zh = "\xe6\x95\xb0\xe6\x8d\xae\xe4\xb8\xad\xe5\xbf\x83\xe8\xa7"
                   "\x84\xe5\x88\x92"; /* 6 CJK code points */
  hp_chart_elide(zh, NULL, 40, HP_ELIDE_END, fake_width, NULL, b, sizeof b);
  assert_string_equal(b, "\xe6\x95\xb0\xe6\x8d\xae\xe4\xb8\xad\xe2\x80\xa6");
  hp_chart_elide(zh, NULL, 40, HP_ELIDE_MIDDLE, fake_width, NULL, b, sizeof b);
  assert_string_equal(b, "\xe6\x95\xb0\xe6\x8d\xae\xe2\x80\xa6\xe5\x88\x92");
}

/* ----------------------------------------------------------------------------
 * Vendor colours
 * ------------------------------------------------------------------------- */

/* CIEDE2000 between two sRGB colours (Sharma, Wu and Dalal 2005). */
static void to_lab(unsigned c, double lab[3]) {
  double v[3];
  for (int i = 0; i < 3; i++) {
    double u = ((c >> (16 - 8 * i)) & 255) / 255.0;
    v[i] = u <= 0.04045 ? u / 12.92 : pow((u + 0.055) / 1.055, 2.4);
  }
  double x = (0.4124 * v[0] + 0.3576 * v[1] + 0.1805 * v[2]) / 0.95047;
  double y = 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
  double z = (0.0193 * v[0] + 0.1192 * v[1] + 0.9505 * v[2]) / 1.08883;
  double f[3] = {x, y, z};
  for (int i = 0; i < 3; i++)
    f[i] = f[i] > 0.008856 ? cbrt(f[i]) : 7.787 * f[i] + 16.0 / 116;
  lab[0] = 116 * f[1] - 16;
  lab[1] = 500 * (f[0] - f[1]);
  lab[2] = 200 * (f[1] - f[2]);
}

#define PI 3.14159265358979323846
static double deg(double r) { return r * 180 / PI; }
static double rad(double d) { return d * PI / 180; }

static double de2000(unsigned c1, unsigned c2) {
  double l1[3], l2[3];
  to_lab(c1, l1);
  to_lab(c2, l2);
  double cb = (hypot(l1[1], l1[2]) + hypot(l2[1], l2[2])) / 2;
  double g = 0.5 * (1 - sqrt(pow(cb, 7) / (pow(cb, 7) + pow(25, 7))));
  double a1 = (1 + g) * l1[1], a2 = (1 + g) * l2[1];
  double c1p = hypot(a1, l1[2]), c2p = hypot(a2, l2[2]);
  double h1 = fmod(deg(atan2(l1[2], a1)) + 360, 360);
  double h2 = fmod(deg(atan2(l2[2], a2)) + 360, 360);
  double dl = l2[0] - l1[0], dc = c2p - c1p, dh = h2 - h1;
  if (c1p * c2p == 0)
    dh = 0;
  else if (dh > 180)
    dh -= 360;
  else if (dh < -180)
    dh += 360;
  double dH = 2 * sqrt(c1p * c2p) * sin(rad(dh / 2));
  double lb = (l1[0] + l2[0]) / 2, cbp = (c1p + c2p) / 2, hb;
  if (c1p * c2p == 0)
    hb = h1 + h2;
  else if (fabs(h1 - h2) <= 180)
    hb = (h1 + h2) / 2;
  else
    hb = h1 + h2 < 360 ? (h1 + h2 + 360) / 2 : (h1 + h2 - 360) / 2;
  double t = 1 - 0.17 * cos(rad(hb - 30)) + 0.24 * cos(rad(2 * hb)) +
             0.32 * cos(rad(3 * hb + 6)) - 0.20 * cos(rad(4 * hb - 63));
  double dt = 30 * exp(-pow((hb - 275) / 25, 2));
  double rc = 2 * sqrt(pow(cbp, 7) / (pow(cbp, 7) + pow(25, 7)));
  double sl = 1 + 0.015 * pow(lb - 50, 2) / sqrt(20 + pow(lb - 50, 2));
  double sc = 1 + 0.045 * cbp, sh = 1 + 0.015 * cbp * t;
  double rt = -sin(rad(2 * dt)) * rc;
  return sqrt(pow(dl / sl, 2) + pow(dc / sc, 2) + pow(dH / sh, 2) +
              rt * (dc / sc) * (dH / sh));
}

static void de2000_reference(void **state) {
  (void)state;
  /* The pair the review found hard to tell apart (Tableau's green for
   * Hygon against NVIDIA's), and white against black. */
  assert_true(fabs(de2000(0x59a14f, 0x76b900) - 12.5) < 0.5);
  assert_true(fabs(de2000(0xffffff, 0x000000) - 100) < 0.5);
}

/* A one-point sweep over the real catalog: its table lists every vendor
 * of the catalog. */
static hp_wi_table *sweep_real(void) {
  const char *plan = "name: c\n"
                     "defaults:\n"
                     "  workload: {model: {params: 7e9}, tokens_per_day: "
                     "1e10}\n"
                     "  mfu: 0.5\n"
                     "  devices: [nvidia-h20]\n"
                     "scenarios:\n  - name: s\n";
  hp_wi_axis a;
  hp_diag d;
  hp_wi_table *t = NULL;
  assert_int_equal(hp_wi_axis_parse("mfu=0.5", &a, &d), HP_OK);
  hp_wi_opts o = {1, NULL, NULL, NULL, 0};
  assert_int_equal(
      hp_wi_sweep(plan, strlen(plan), "c.yaml", real_cat, &a, 1, &o, &t, &d),
      HP_OK);
  hp_wi_axis_cleanup(&a);
  return t;
}

static void vendor_colours_far_apart(void **state) {
  (void)state;
  hp_wi_table *t = sweep_real();
  size_t n = t->n_vendors;
  assert_true(n >= 11);
  const char *names[64];
  unsigned rgb[64];
  assert_true(n + 12 <= 64);
  for (size_t i = 0; i < n; i++)
    names[i] = t->vendors[i];
  /* Every catalog vendor far from every other (the fixed table). */
  hp_chart_vendor_colours(names, n, rgb);
  for (size_t i = 0; i < n; i++)
    for (size_t j = i + 1; j < n; j++)
      if (de2000(rgb[i], rgb[j]) < 20)
        fail_msg("%s and %s: %06x and %06x are %.1f CIEDE2000 apart", names[i],
                 names[j], rgb[i], rgb[j], de2000(rgb[i], rgb[j]));
  /* Twelve more vendors, unknown: distinct from all of those too. */
  static const char *const other[12] = {
      "Enflame",  "Tencent Zixiao", "Alibaba T-Head", "Sophgo",
      "Denglin",  "Innostar",       "Vastai",         "Lingjiu",
      "Corerain", "Horizon",        "Black Sesame",   "Moffett"};
  for (size_t i = 0; i < 12; i++)
    names[n + i] = other[i];
  hp_chart_vendor_colours(names, n + 12, rgb);
  for (size_t i = 0; i < n + 12; i++)
    for (size_t j = i + 1; j < n + 12; j++)
      if (de2000(rgb[i], rgb[j]) < 15)
        fail_msg("%s and %s: %06x and %06x are %.1f CIEDE2000 apart", names[i],
                 names[j], rgb[i], rgb[j], de2000(rgb[i], rgb[j]));
  hp_wi_table_free(t);
}

static void vendor_colours_stable(void **state) {
  (void)state;
  const char *a[] = {"NVIDIA", "Hygon", "Foo Semiconductor", "Bar AI"};
  const char *b[] = {"Bar AI", "Foo Semiconductor", "nvidia"};
  const char *c[] = {"Hygon"};
  unsigned ra[4], rb[3], rc[1];
  hp_chart_vendor_colours(a, 4, ra);
  hp_chart_vendor_colours(b, 3, rb);
  hp_chart_vendor_colours(c, 1, rc);
  assert_int_equal(ra[0], 0x76b900); /* NVIDIA green, any case */
  assert_int_equal(rb[2], 0x76b900);
  assert_int_equal(ra[1], rc[0]); /* Hygon alone or with others */
  assert_int_equal(ra[2], rb[1]); /* unknown: the same in any order */
  assert_int_equal(ra[3], rb[0]);
  assert_int_not_equal(ra[2], ra[3]);
  assert_true(de2000(ra[0], ra[1]) >= 25);
  /* The same name twice: one colour. */
  const char *d[] = {"Foo", "Foo"};
  unsigned rd[2];
  hp_chart_vendor_colours(d, 2, rd);
  assert_int_equal(rd[0], rd[1]);
}

/* ----------------------------------------------------------------------------
 * Texts
 * ------------------------------------------------------------------------- */

static char *dup(const char *s) {
  char *c = malloc(strlen(s) + 1);
  assert_non_null(c);
  return memcpy(c, s, strlen(s) + 1);
}

/* A hand-made sweep table: np points x ns scenarios of one vendor, every
 * row optimal at 1e9 CNY of capex and 1.2e9 of TCO. */
static hp_wi_table *table(const char *key, size_t np, size_t ns) {
  hp_wi_table *t = calloc(1, sizeof *t);
  t->kind = HP_WI_SWEEP;
  t->plan = dup("p");
  t->path = dup("p.yaml");
  t->n_points = np;
  t->n_keys = 1;
  t->keys = calloc(1, sizeof *t->keys);
  t->keys[0] = dup(key);
  t->values = calloc(np, sizeof *t->values);
  t->n_scenarios = ns;
  t->scenarios = calloc(ns, sizeof *t->scenarios);
  for (size_t s = 0; s < ns; s++)
    t->scenarios[s] = dup(s == 0 ? "end-2024" : "other");
  t->n_vendors = 1;
  t->vendors = calloc(1, sizeof *t->vendors);
  t->vendors[0] = dup("NVIDIA");
  t->vendor_domestic = calloc(1, sizeof *t->vendor_domestic);
  t->n_rows = np * ns;
  t->rows = calloc(t->n_rows, sizeof *t->rows);
  t->vendor_capex = calloc(t->n_rows, sizeof *t->vendor_capex);
  for (size_t p = 0; p < np; p++) {
    t->values[p] = (double)p + 1;
    for (size_t s = 0; s < ns; s++) {
      hp_wi_row *r = &t->rows[p * ns + s];
      r->status = HP_RESULT_OPTIMAL;
      r->capex_cny = 1e9;
      r->tco_cny = 1.2e9;
      t->vendor_capex[p * ns + s] = 1e9;
    }
  }
  assert_int_equal(hp_wi_table_tally(t), HP_OK); /* the engine's counts */
  return t;
}

static void table_free(hp_wi_table *t) {
  free(t->plan);
  free(t->path);
  free(t->keys[0]);
  free(t->keys);
  free(t->values);
  for (size_t s = 0; s < t->n_scenarios; s++)
    free(t->scenarios[s]);
  free(t->scenarios);
  free(t->vendors[0]);
  free(t->vendors);
  free(t->vendor_domestic);
  free(t->rows);
  free(t->vendor_capex);
  hp_free(t->counts);
  free(t);
}

#define HAS(s, sub)                                                            \
  do {                                                                         \
    if (!strstr((s), (sub)))                                                   \
      fail_msg("'%s' lacks '%s'", (s), (sub));                                 \
  } while (0)

static void sweep_texts_count_drawn_scenario(void **state) {
  (void)state;
  hp_wi_table *t = table("constraints.domestic_share.min", 4, 2);
  t->rows[2 * 2 + 0].status = HP_RESULT_INFEASIBLE;
  t->rows[3 * 2 + 0].status = HP_RESULT_ERROR;
  for (size_t p = 0; p < 4; p++)
    t->rows[p * 2 + 1].status = HP_RESULT_INFEASIBLE;
  t->n_infeasible = 5; /* over both scenarios: not what a chart shows */
  t->n_error = 1;
  assert_int_equal(hp_wi_table_tally(t), HP_OK);
  hp_chart_texts tx;
  hp_chart_sweep_texts(t, 0, NULL, NULL, 0, &tx);
  HAS(tx.subtitle,
      "scenario end-2024 (1 of 2; --scenario picks another): 4 points, "
      "1 infeasible, 1 error (value rejected)");
  assert_string_equal(tx.title, "Capex against constraints.domestic_share.min");
  assert_string_equal(tx.xlabel, "constraints.domestic_share.min (fraction)");
  hp_chart_sweep_texts(t, 1, NULL, NULL, 0, &tx);
  HAS(tx.subtitle, "scenario other (2 of 2; --scenario picks another): 4 "
                   "points, 4 infeasible");
  assert_null(strstr(tx.subtitle, "error"));
  /* One scenario: nothing to pick. */
  t->n_scenarios = 1;
  hp_chart_sweep_texts(t, 0, NULL, NULL, 0, &tx);
  assert_null(strstr(tx.subtitle, "--scenario"));
  t->n_scenarios = 2;
  table_free(t);
}

static void sweep_texts_fit_width(void **state) {
  (void)state;
  hp_wi_table *t = table("mfu", 5, 15);
  free(t->plan);
  t->plan = dup("many-scenarios-with-a-rather-long-plan-name");
  free(t->scenarios[0]);
  t->scenarios[0] =
      dup("scenario-00-demand-1.00x-with-a-very-long-descriptive-name");
  hp_chart_texts tx;
  hp_chart_sweep_texts(t, 0, fake_width, NULL, 1200, &tx);
  if (fake_width(tx.subtitle, NULL) > 1200)
    fail_msg("too wide: '%s'", tx.subtitle);
  HAS(tx.subtitle, "(1 of 15; --scenario picks another): 5 points, 0 "
                   "infeasible");
  HAS(tx.subtitle, "plan many-");
  HAS(tx.subtitle, "scenario scenario-0");
  table_free(t);
}

/* Fails when s holds a byte that would act on a terminal or stop cairo: a
 * C0 control, DEL, a C1 control in UTF-8, or a byte that cannot be UTF-8. */
static void no_controls(const char *what, const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (*p < 0x20 || *p == 0x7f || *p == 0xc0 || *p == 0xc1 || *p >= 0xf5 ||
        (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
      fail_msg("%s: byte 0x%02x at %zu in '%s'", what, *p,
               (size_t)(p - (const unsigned char *)s), s);
}

/* Names from the plan file, and the --vary key, are drawn as visible
 * text: an escape sequence or a newline shows as \x1b or \n. */
static void texts_escape_names(void **state) {
  (void)state;
  hp_wi_table *t = table("mfu\x1b[8m", 3, 2);
  free(t->plan);
  t->plan = dup("evil\x1b]0;pwned\x07plan");
  free(t->scenarios[0]);
  t->scenarios[0] = dup("=H(\"x\")|\x1b[31mred\nline\xc2\x9b");
  hp_chart_texts tx;
  for (int fit = 0; fit < 2; fit++) {
    hp_chart_sweep_texts(t, 0, fit ? fake_width : NULL, NULL, fit ? 400 : 0,
                         &tx);
    if (!fit)
      HAS(tx.subtitle, "plan evil\\x1b]0;pwned\\x07plan, scenario "
                       "=H(\"x\")|\\x1b[31mred\\nline\\u009b");
    no_controls("sweep title", tx.title);
    no_controls("sweep subtitle", tx.subtitle);
    no_controls("sweep x label", tx.xlabel);
    no_controls("sweep y label", tx.ylabel);
  }
  HAS(tx.xlabel, "mfu\\x1b[8m");
  t->kind = HP_WI_MONTECARLO;
  hp_wi_stats st;
  assert_int_equal(hp_wi_column_stats(t, 0, "capex_cny", &st), HP_OK);
  hp_chart_montecarlo_texts(t, 0, &st, NULL, NULL, 0, &tx);
  assert_string_equal(tx.title,
                      "Monte Carlo capex: evil\\x1b]0;pwned\\x07plan");
  HAS(tx.subtitle, "scenario =H(\"x\")|\\x1b[31mred\\nline\\u009b");
  no_controls("Monte Carlo subtitle", tx.subtitle);
  table_free(t);
}

static void sweep_metric_tco_when_only_tco_moves(void **state) {
  (void)state;
  hp_wi_table *t = table("years", 3, 1);
  int flat;
  assert_int_equal(hp_chart_sweep_metric(t, 0, &flat), HP_CHART_CAPEX);
  assert_int_equal(flat, 1);
  hp_chart_texts tx;
  hp_chart_sweep_texts(t, 0, NULL, NULL, 0, &tx);
  HAS(tx.subtitle, "capex and TCO are the same at every point");
  t->rows[2].tco_cny = 1.5e9; /* years: capex same, TCO grows */
  assert_int_equal(hp_chart_sweep_metric(t, 0, &flat), HP_CHART_TCO);
  assert_int_equal(flat, 0);
  hp_chart_sweep_texts(t, 0, NULL, NULL, 0, &tx);
  assert_string_equal(tx.title, "TCO against years");
  assert_string_equal(tx.ylabel, "TCO (100M CNY)");
  assert_string_equal(tx.xlabel, "years"); /* not "years (years)" */
  HAS(tx.subtitle, "electricity");
  t->rows[1].capex_cny = 1.1e9; /* capex moves: capex it is */
  assert_int_equal(hp_chart_sweep_metric(t, 0, NULL), HP_CHART_CAPEX);
  hp_chart_sweep_texts(t, 0, NULL, NULL, 0, &tx);
  assert_string_equal(tx.title, "Capex against years");
  table_free(t);
}

static void key_units_as_tables(void **state) {
  (void)state;
  assert_string_equal(hp_wi_key_unit("token_price_cny_per_mtok"), "CNY/Mtok");
  assert_string_equal(hp_wi_key_unit("workload.slo.ttft_ms"), "ms");
  assert_string_equal(hp_wi_key_unit("solver.mip_gap"), "fraction");
  assert_string_equal(hp_wi_key_unit("pue"), "ratio");
  assert_string_equal(hp_wi_key_unit("workload.seconds_per_day"), "s/day");
  assert_string_equal(hp_wi_key_unit("constraints.caps.nvidia-h20"), "cards");
  assert_string_equal(hp_wi_key_unit("power_price_cny_per_kwh"), "CNY/kWh");
  hp_wi_table *t = table("token_price_cny_per_mtok", 2, 1);
  hp_chart_texts tx;
  hp_chart_sweep_texts(t, 0, NULL, NULL, 0, &tx);
  assert_string_equal(tx.xlabel, "token_price_cny_per_mtok (CNY/Mtok)");
  table_free(t);
}

static void montecarlo_texts(void **state) {
  (void)state;
  hp_wi_table *t = table("mfu", 3, 2);
  t->kind = HP_WI_MONTECARLO;
  t->seed = 7;
  for (size_t i = 0; i < t->n_rows; i++)
    t->rows[i].status = HP_RESULT_INFEASIBLE;
  assert_int_equal(hp_wi_table_tally(t), HP_OK);
  hp_wi_stats st;
  assert_int_equal(hp_wi_column_stats(t, 0, "capex_cny", &st), HP_OK);
  assert_int_equal(st.n, 0);
  hp_chart_texts tx;
  hp_chart_montecarlo_texts(t, 0, &st, NULL, NULL, 0, &tx);
  HAS(tx.subtitle, "scenario end-2024 (1 of 2; --scenario picks another): 3 "
                   "samples, seed 7; no optimal sample (3 infeasible)");
  assert_null(strstr(tx.subtitle, "mean"));
  t->rows[0].status = HP_RESULT_ERROR;
  assert_int_equal(hp_wi_table_tally(t), HP_OK);
  hp_chart_montecarlo_texts(t, 0, &st, NULL, NULL, 0, &tx);
  HAS(tx.subtitle, "no optimal sample (2 infeasible, 1 invalid)");
  t->rows[2].status = HP_RESULT_OPTIMAL; /* point 1, scenario 0 */
  t->rows[2].capex_cny = 4e8;
  assert_int_equal(hp_wi_table_tally(t), HP_OK);
  assert_int_equal(hp_wi_column_stats(t, 0, "capex_cny", &st), HP_OK);
  hp_chart_montecarlo_texts(t, 0, &st, NULL, NULL, 0, &tx);
  HAS(tx.subtitle, "1 optimal, 1 infeasible, 1 invalid; mean 4.00 (100M "
                   "CNY)");
  table_free(t);
}

/* ----------------------------------------------------------------------------
 * Charts of edge cases, drawn whole
 * ------------------------------------------------------------------------- */

#define ONE                                                                    \
  "name: one\n"                                                                \
  "defaults:\n"                                                                \
  "  workload: {model: {params: 5e11}, tokens_per_day: 8.64e7}\n"              \
  "  mfu: 0.5\n"                                                               \
  "  devices: [alpha-a, beta-b]\n"

static hp_wi_table *sweep_fix(const char *plan, const char *spec) {
  hp_wi_axis a;
  hp_diag d;
  hp_wi_table *t = NULL;
  assert_int_equal(hp_wi_axis_parse(spec, &a, &d), HP_OK);
  hp_wi_opts o = {1, NULL, NULL, NULL, 0};
  assert_int_equal(
      hp_wi_sweep(plan, strlen(plan), "one.yaml", fix_cat, &a, 1, &o, &t, &d),
      HP_OK);
  hp_wi_axis_cleanup(&a);
  return t;
}

/* Draws the table as PNG and SVG; 0 when cairo cannot be loaded here. */
static int draw_both(const hp_wi_table *t, int mc) {
  for (int f = 0; f < 2; f++) {
    char *out = NULL;
    size_t len = 0;
    hp_diag d;
    int rc = mc ? hp_chart_montecarlo(t, 0, f, &out, &len, &d)
                : hp_chart_sweep(t, 0, f, &out, &len, &d);
    if (rc == HP_ENOTSUP)
      return 0;
    assert_int_equal(rc, HP_OK);
    assert_true(len > 100);
    if (f == HP_CHART_PNG)
      assert_memory_equal(out, "\x89PNG", 4);
    else
      assert_non_null(strstr(out, "</svg>"));
    hp_free(out);
  }
  return 1;
}

static void charts_of_edge_cases(void **state) {
  (void)state;
  /* One point; every point infeasible; values rejected at some points;
   * only TCO moving. */
  const char *specs[][2] = {
      {ONE "scenarios:\n  - name: s\n", "mfu=0.5"},
      {ONE "scenarios:\n  - name: s\n    constraints: {caps: {alpha-a: 8, "
           "beta-b: 8}}\n",
       "mfu=0.3:0.5:0.1"},
      {ONE "scenarios:\n  - name: s\n", "mfu=0.5:1.5:0.25"},
      {ONE "scenarios:\n  - name: s\n", "years=1:5:1"},
      {ONE "scenarios:\n  - name: a\n  - name: b\n",
       "constraints.domestic_share.min=0:1:0.25"},
  };
  for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
    hp_wi_table *t = sweep_fix(specs[i][0], specs[i][1]);
    if (i == 3)
      assert_int_equal(hp_chart_sweep_metric(t, 0, NULL), HP_CHART_TCO);
    int drawn = draw_both(t, 0);
    hp_wi_table_free(t);
    if (!drawn)
      skip();
  }
  /* Two keys: refused. */
  hp_wi_axis a[2];
  hp_diag d;
  hp_wi_table *t = NULL;
  assert_int_equal(hp_wi_axis_parse("mfu=0.4:0.5:0.1", &a[0], &d), HP_OK);
  assert_int_equal(hp_wi_axis_parse("years=1:2:1", &a[1], &d), HP_OK);
  const char *plan = ONE "scenarios:\n  - name: s\n";
  assert_int_equal(
      hp_wi_sweep(plan, strlen(plan), "one.yaml", fix_cat, a, 2, NULL, &t, &d),
      HP_OK);
  char *out = NULL;
  size_t len;
  assert_int_equal(hp_chart_sweep(t, 0, HP_CHART_PNG, &out, &len, &d),
                   HP_EINVAL);
  assert_null(out);
  hp_wi_table_free(t);
  hp_wi_axis_cleanup(&a[0]);
  hp_wi_axis_cleanup(&a[1]);
}

static char *hp_dup(const char *s) {
  char *c = hp_malloc(strlen(s) + 1);
  assert_non_null(c);
  return memcpy(c, s, strlen(s) + 1);
}

/* A chart whose names hold control characters and bytes that are not
 * UTF-8 (a profile's driver name can): drawn whole, not refused by cairo
 * half way. */
static void charts_of_unsafe_names(void **state) {
  (void)state;
  hp_wi_table *t =
      sweep_fix(ONE "scenarios:\n  - name: s\n", "mfu=0.3:0.5:0.1");
  hp_free(t->plan);
  t->plan = hp_dup("evil\x1b]0;pwned\x07\xff");
  hp_free(t->scenarios[0]);
  t->scenarios[0] = hp_dup("=H|\x1b[31m\n\xc3");
  for (size_t v = 0; v < t->n_vendors; v++) {
    hp_free(t->vendors[v]);
    t->vendors[v] = hp_dup(v ? "B\xfe\xc2\x9b" : "A|\n\x1b[2J\xc0\xaf");
  }
  int drawn = draw_both(t, 0);
  hp_wi_table_free(t);
  if (!drawn)
    skip();
}

static void montecarlo_charts_of_edge_cases(void **state) {
  (void)state;
  /* Every sample infeasible (caps far below demand); one sample; every
   * sample the same (an uncertain key that changes nothing). */
  const char *plans[] = {
      ONE "  constraints: {caps: {alpha-a: 8, beta-b: 8}}\n"
          "scenarios:\n  - name: s\n"
          "uncertain:\n"
          "  workload.tokens_per_day: {dist: uniform, min: 8.64e7, max: "
          "1.728e8}\n",
      ONE "scenarios:\n  - name: s\n"
          "uncertain:\n"
          "  workload.tokens_per_day: {dist: uniform, min: 8.64e7, max: "
          "1.728e8}\n",
      ONE "scenarios:\n  - name: s\n"
          "uncertain:\n"
          "  power_price_cny_per_kwh: {dist: uniform, min: 0.3, max: 0.5}\n"};
  size_t samples[] = {20, 1, 30};
  for (size_t i = 0; i < 3; i++) {
    hp_wi_table *t = NULL;
    hp_diag d;
    hp_wi_opts o = {1, NULL, NULL, NULL, 0};
    assert_int_equal(hp_wi_montecarlo(plans[i], strlen(plans[i]), "mc.yaml",
                                      fix_cat, samples[i], 3, &o, &t, &d),
                     HP_OK);
    if (i == 0)
      assert_int_equal(t->n_infeasible, samples[i]);
    int drawn = draw_both(t, 1);
    hp_wi_table_free(t);
    if (!drawn)
      skip();
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(axis_top_is_a_tick),
      cmocka_unit_test(axis_one_format),
      cmocka_unit_test(axis_counts_whole),
      cmocka_unit_test(grouped_numbers),
      cmocka_unit_test(elide_end_and_middle),
      cmocka_unit_test(elide_keeps_suffix_and_utf8),
      cmocka_unit_test(de2000_reference),
      cmocka_unit_test(vendor_colours_far_apart),
      cmocka_unit_test(vendor_colours_stable),
      cmocka_unit_test(sweep_texts_count_drawn_scenario),
      cmocka_unit_test(sweep_texts_fit_width),
      cmocka_unit_test(sweep_metric_tco_when_only_tco_moves),
      cmocka_unit_test(key_units_as_tables),
      cmocka_unit_test(montecarlo_texts),
      cmocka_unit_test(charts_of_edge_cases),
      cmocka_unit_test(montecarlo_charts_of_edge_cases),
      cmocka_unit_test(texts_escape_names),
      cmocka_unit_test(charts_of_unsafe_names),
  };
  return cmocka_run_group_tests(tests, catalogs_setup, teardown);
}
