/* chart.c - what-if charts with cairo: sweep areas, Monte Carlo histograms,
 * batch bars; PNG or SVG rendered into memory.
 *
 * One frame for all three (title, plot area, axes with "nice" ticks, a
 * legend on the right); each chart only maps numbers the engine computed
 * onto it (histograms bin them). Every text is measured and elided to the
 * room it has. Layout: pure helpers (ticks, eliding, colours, texts; no
 * cairo), then cairo's loader, output streams, the frame, the three charts.
 */
#include "chart.h"

#define HP_PI 3.14159265358979323846

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "mem.h"
#include "periods.h"
#include "status.h"

int hp_chart_format_of(const char *path, hp_chart_format *out, hp_diag *d) {
  const char *dot = strrchr(path, '.');
  char ext[8] = "";
  if (dot && strlen(dot) < sizeof ext)
    for (size_t i = 0; dot[i]; i++)
      ext[i] = (char)tolower((unsigned char)dot[i]);
  if (strcmp(ext, ".png") == 0) {
    *out = HP_CHART_PNG;
    return HP_OK;
  }
  if (strcmp(ext, ".svg") == 0) {
    *out = HP_CHART_SVG;
    return HP_OK;
  }
  return hp_diag_set(d, HP_EINVAL, NULL, 0, 0,
                     "--chart '%.200s': expected a file name ending in .png "
                     "or .svg",
                     path);
}

/* ----------------------------------------------------------------------------
 * Axes: one step and one label format per axis
 * ------------------------------------------------------------------------- */

/* A "nice" tick step (1, 2 or 5 x 10^k) giving about `want` ticks. */
static double nice_step(double range, int want) {
  if (!(range > 0) || !isfinite(range))
    return 1;
  double raw = range / (want < 1 ? 1 : want);
  double mag = pow(10, floor(log10(raw)));
  double f = raw / mag;
  return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * mag;
}

void hp_chart_axis_fit(double lo, double hi, int want, int flags,
                       hp_chart_axis *a) {
  if (!(hi > lo)) {
    double m = (flags & HP_AXIS_WHOLE) ? 1 : fabs(lo) > 0 ? fabs(lo) * 0.05 : 1;
    lo -= m;
    hi += m;
  }
  double s = nice_step(hi - lo, want);
  if ((flags & HP_AXIS_WHOLE) && s < 1)
    s = 1;
  if (flags & HP_AXIS_WIDEN) {
    lo = floor(lo / s + 1e-9) * s;
    hi = ceil(hi / s - 1e-9) * s;
  }
  a->lo = lo;
  a->hi = hi;
  a->step = s;
  a->first = ceil(lo / s - 1e-9) * s;
  /* The step's decimal exponent says how many digits a tick needs. */
  int ks = (int)floor(log10(s) + 1e-9);
  double big = fmax(fabs(lo), fabs(hi));
  if (big >= 1e9) {
    /* People read "4.0 trillion", not "4.0e12": the ticks are scaled by
     * the largest power of a thousand (up to 10^18) the axis reaches, and
     * every tick gets as many digits as the step needs at that scale, so
     * that the axis reads in one format. */
    int kb = (int)floor(log10(big) + 1e-9);
    int k = kb / 3 * 3;
    k = k < 9 ? 9 : k > 18 ? 18 : k;
    int dec = k - ks;
    a->sci = k;
    a->decimals = dec < 0 ? 0 : dec > 4 ? 4 : dec;
  } else {
    /* Tiny steps print their zeros ("0.000002"): no exponent either. */
    a->sci = 0;
    a->decimals = ks < 0 ? (-ks > 15 ? 15 : -ks) : 0;
  }
}

int hp_chart_axis_ticks(const hp_chart_axis *a) {
  if (!(a->step > 0) || a->first > a->hi + a->step * 1e-6)
    return 0;
  double n = floor((a->hi - a->first) / a->step + 1e-6) + 1;
  return n > 1000 ? 1000 : (int)n;
}

double hp_chart_axis_tick(const hp_chart_axis *a, int i) {
  double v = a->first + (double)i * a->step;
  return fabs(v) < a->step * 1e-9 ? 0 : v;
}

void hp_chart_format_grouped(double v, int decimals, char *buf, size_t n) {
  char tmp[400], res[560];
  if (decimals < 0)
    decimals = 0;
  snprintf(tmp, sizeof tmp, "%.*f", decimals > 20 ? 20 : decimals, v);
  const char *p = tmp;
  size_t o = 0;
  /* "-0" and "-0.00" are zero. */
  if (*p == '-' && strspn(p + 1, "0.") == strlen(p + 1))
    p++;
  if (*p == '-')
    res[o++] = *p++;
  size_t digits = strspn(p, "0123456789");
  for (size_t i = 0; i < digits; i++) {
    if (i > 0 && (digits - i) % 3 == 0)
      res[o++] = ',';
    res[o++] = p[i];
  }
  snprintf(res + o, sizeof res - o, "%s", p + digits);
  snprintf(buf, n, "%s", res);
}

void hp_chart_axis_label(const hp_chart_axis *a, double v, char *buf,
                         size_t n) {
  if (fabs(v) < a->step * 1e-9)
    v = 0;
  if (!a->sci) {
    hp_chart_format_grouped(v, a->decimals, buf, n);
    return;
  }
  if (v == 0) {
    snprintf(buf, n, "0");
    return;
  }
  static const char *const words[] = {"billion", "trillion", "quadrillion",
                                      "quintillion"};
  char m[400];
  hp_chart_format_grouped(v / pow(10, a->sci), a->decimals, m, sizeof m);
  snprintf(buf, n, "%s %s", m, words[(a->sci - 9) / 3]);
}

/* ----------------------------------------------------------------------------
 * Eliding measured text
 * ------------------------------------------------------------------------- */

#define ELLIPSIS "\xe2\x80\xa6"
#define ELIDE_MAX 2000 /* bytes considered; names are far shorter */

/* Byte offset of the k-th code point of s[0..len). */
static size_t cp_offset(const char *s, size_t len, size_t k) {
  size_t i = 0;
  for (; i < len; i++)
    if (((unsigned char)s[i] & 0xC0) != 0x80 && k-- == 0)
      return i;
  return len;
}

static size_t cp_count(const char *s, size_t len) {
  size_t n = 0;
  for (size_t i = 0; i < len; i++)
    n += ((unsigned char)s[i] & 0xC0) != 0x80;
  return n;
}

/* The candidate that keeps k code points of body[0..len): the first ones
 * (end mode) or the first and last halves (middle mode). */
static void elide_candidate(const char *body, size_t len, size_t ncp, size_t k,
                            hp_chart_elide_mode mode, const char *keep,
                            char *out, size_t n) {
  size_t head = mode == HP_ELIDE_MIDDLE ? (k + 1) / 2 : k;
  size_t tail = mode == HP_ELIDE_MIDDLE ? k / 2 : 0;
  size_t hb = cp_offset(body, len, head);
  while (hb > 0 && body[hb - 1] == ' ') /* no "word …" */
    hb--;
  size_t tb = tail ? cp_offset(body, len, ncp - tail) : len;
  snprintf(out, n, "%.*s" ELLIPSIS "%.*s%s", (int)hb, body, (int)(len - tb),
           body + tb, keep ? keep : "");
}

int hp_chart_elide(const char *s, const char *keep, double max_w,
                   hp_chart_elide_mode mode, hp_chart_width_fn width, void *ud,
                   char *out, size_t n) {
  if (n == 0)
    return -1;
  size_t ls = strlen(s);
  if (ls < ELIDE_MAX && width(s, ud) <= max_w) {
    snprintf(out, n, "%s", s);
    return 0;
  }
  size_t lk = keep ? strlen(keep) : 0;
  if (lk == 0 || lk >= ls || strcmp(s + ls - lk, keep) != 0)
    lk = 0, keep = NULL;
  size_t len = ls - lk;
  if (len > ELIDE_MAX) /* cut at a code point, then elide as usual */
    len = cp_offset(s, len, cp_count(s, ELIDE_MAX) - 1);
  size_t ncp = cp_count(s, len);
  char cand[ELIDE_MAX + 64];
  /* The largest k that fits; widths grow with k. */
  size_t lo = 0, hi = ncp ? ncp - 1 : 0;
  elide_candidate(s, len, ncp, 0, mode, keep, cand, sizeof cand);
  if (width(cand, ud) > max_w) {
    out[0] = '\0';
    return -1;
  }
  while (lo < hi) {
    size_t mid = lo + (hi - lo + 1) / 2;
    elide_candidate(s, len, ncp, mid, mode, keep, cand, sizeof cand);
    if (width(cand, ud) <= max_w)
      lo = mid;
    else
      hi = mid - 1;
  }
  elide_candidate(s, len, ncp, lo, mode, keep, cand, sizeof cand);
  snprintf(out, n, "%s", cand);
  return 1;
}

/* ----------------------------------------------------------------------------
 * Vendor colours
 * ------------------------------------------------------------------------- */

/* The catalog's vendors (devices/), each with the colour it has in every
 * chart: NVIDIA's green and Huawei's red, then colours picked to be far
 * apart from those and from each other (at least 25 CIEDE2000 between any
 * two of these; Tableau's 0x59a14f, which Hygon once had, is 12.5 from
 * NVIDIA's green) and from the pink and grey of infeasible and error
 * bands. tests/test_chart.c checks the distances. */
static const struct {
  const char *name;
  unsigned rgb;
} vendor_fixed[] = {
    {"NVIDIA", 0x76b900},        {"Huawei", 0xc7000b},
    {"Hygon", 0x6731b6},         {"Cambricon", 0x26a69a},
    {"Kunlunxin", 0x7cbff7},     {"MetaX", 0xf28e2b},
    {"Moore Threads", 0xfe97d9}, {"Iluvatar CoreX", 0xffd700},
    {"Biren", 0x7f6807},         {"Intel", 0x1870a4},
    {"AMD", 0x025f3e},           {"Alibaba", 0x582030},
};

/* Other vendors: a slot of this palette by a hash of the name (each at
 * least 16 CIEDE2000 from the colours above and from each other). */
static const unsigned vendor_extra[] = {0xc6266d, 0xef7c73, 0x38f0a8, 0x867cb8,
                                        0xb29c5f, 0x774622, 0x6de6ea, 0xd448ca,
                                        0x6c8d54, 0xc9dc9a, 0xffcb97, 0xbdb0f0};
#define N_FIXED (sizeof vendor_fixed / sizeof vendor_fixed[0])
#define N_EXTRA (sizeof vendor_extra / sizeof vendor_extra[0])

static int same_ci(const char *a, const char *b) {
  for (; *a && *b; a++, b++)
    if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
      return 0;
  return *a == *b;
}

void hp_chart_vendor_colours(const char *const *vendors, size_t n,
                             unsigned *rgb) {
  const unsigned unset = 0xffffffffu;
  for (size_t i = 0; i < n; i++) {
    rgb[i] = unset;
    for (size_t k = 0; k < N_FIXED; k++)
      if (same_ci(vendors[i], vendor_fixed[k].name))
        rgb[i] = vendor_fixed[k].rgb;
  }
  /* The others in name order, so that the result depends on the set only. */
  unsigned used = 0, all = (1u << N_EXTRA) - 1;
  for (;;) {
    size_t b = n;
    for (size_t i = 0; i < n; i++)
      if (rgb[i] == unset && (b == n || strcmp(vendors[i], vendors[b]) < 0))
        b = i;
    if (b == n)
      break;
    uint32_t h = 2166136261u; /* FNV-1a */
    for (const char *p = vendors[b]; *p; p++)
      h = (h ^ (unsigned char)*p) * 16777619u;
    if (used == all) /* more vendors than colours: reuse the palette */
      used = 0;
    size_t slot = h % N_EXTRA;
    while (used & (1u << slot))
      slot = (slot + 1) % N_EXTRA;
    used |= 1u << slot;
    for (size_t i = 0; i < n; i++)
      if (rgb[i] == unset && strcmp(vendors[i], vendors[b]) == 0)
        rgb[i] = vendor_extra[slot];
  }
}

/* ----------------------------------------------------------------------------
 * What a chart says
 * ------------------------------------------------------------------------- */

static const hp_wi_row *row_at(const hp_wi_table *t, size_t p, size_t scen) {
  return &t->rows[p * t->n_scenarios + scen];
}

/* Rows of one scenario by status, as the engine counted them. */
static void count_status(const hp_wi_table *t, size_t scen, size_t *ok,
                         size_t *inf, size_t *err) {
  *ok = t->counts[scen].optimal;
  *inf = t->counts[scen].infeasible;
  *err = t->counts[scen].errors;
}

hp_chart_metric hp_chart_sweep_metric(const hp_wi_table *t, size_t scen,
                                      int *flat) {
  double c0 = HUGE_VAL, c1 = -HUGE_VAL, t0 = HUGE_VAL, t1 = -HUGE_VAL;
  for (size_t p = 0; p < t->n_points; p++) {
    const hp_wi_row *r = row_at(t, p, scen);
    if (r->status != HP_RESULT_OPTIMAL)
      continue;
    c0 = fmin(c0, r->capex_cny);
    c1 = fmax(c1, r->capex_cny);
    t0 = fmin(t0, r->tco_cny);
    t1 = fmax(t1, r->tco_cny);
  }
  /* "The same" is below a millionth: less than a pixel on any chart. */
  int any = c1 >= c0;
  int capex_moves = any && c1 - c0 > 1e-6 * fmax(fabs(c1), 1);
  int tco_moves = any && t1 - t0 > 1e-6 * fmax(fabs(t1), 1);
  if (flat)
    *flat = any && !capex_moves && !tco_moves;
  return any && !capex_moves && tco_moves ? HP_CHART_TCO : HP_CHART_CAPEX;
}

static void grouped_count(size_t v, char *buf, size_t n) {
  hp_chart_format_grouped((double)v, 0, buf, n);
}

/* A subtitle with up to two names in it ("plan %s, scenario %s: ...").
 * fmt takes the names first, then `rest` ("%s" each), and is tried with
 * the full rest, then with the short rest (the optional parts dropped);
 * when neither fits max_w the names share the room that is left, each
 * elided in the middle (and the optional parts go when they would leave
 * the names less than a third of the width). */
typedef struct subtitle {
  const char *fmt; /* "...%s...%s...%s" or "...%s...%s" (names, rest) */
  const char *names[2];
  int n_names;       /* 1 or 2 */
  const char *rest;  /* everything after the names */
  const char *brief; /* rest without the optional parts */
} subtitle;

static void sub_print(const subtitle *s, const char *a, const char *b,
                      const char *rest, char *out, size_t n) {
  if (s->n_names == 2)
    snprintf(out, n, s->fmt, a, b, rest);
  else
    snprintf(out, n, s->fmt, a, rest);
}

static void sub_fit(const subtitle *s, hp_chart_width_fn width, void *ud,
                    double max_w, char *out, size_t n) {
  const char *a = s->names[0], *b = s->n_names == 2 ? s->names[1] : "";
  sub_print(s, a, b, s->rest, out, n);
  if (!width || width(out, ud) <= max_w)
    return;
  sub_print(s, a, b, s->brief, out, n);
  if (width(out, ud) <= max_w)
    return;
  /* Elided names: with the full rest when that leaves them a third of the
   * width, else with the short one. */
  const char *rest = s->rest;
  sub_print(s, "", "", rest, out, n);
  if (max_w - width(out, ud) < max_w / 3) {
    rest = s->brief;
    sub_print(s, "", "", rest, out, n);
  }
  double room = max_w - width(out, ud), wa = width(a, ud);
  double wb = s->n_names == 2 ? width(b, ud) : 0;
  /* Half each, and what one does not need to the other. */
  double ra = s->n_names == 2 ? room / 2 : room, rb = room - ra;
  if (s->n_names == 2 && wa < ra)
    rb = room - wa;
  else if (s->n_names == 2 && wb < rb)
    ra = room - wb;
  char ea[300], eb[300];
  if (hp_chart_elide(a, NULL, ra, HP_ELIDE_MIDDLE, width, ud, ea, sizeof ea) <
      0)
    snprintf(ea, sizeof ea, ELLIPSIS);
  if (s->n_names < 2)
    eb[0] = '\0';
  else if (hp_chart_elide(b, NULL, rb, HP_ELIDE_MIDDLE, width, ud, eb,
                          sizeof eb) < 0)
    snprintf(eb, sizeof eb, ELLIPSIS);
  sub_print(s, ea, eb, rest, out, n);
}

/* " (1 of 2; --scenario picks another)" when the table has several. */
static void which_scenario(const hp_wi_table *t, size_t scen, char *out,
                           size_t n) {
  if (t->n_scenarios > 1)
    snprintf(out, n, " (%zu of %zu; --scenario picks another)", scen + 1,
             t->n_scenarios);
  else
    out[0] = '\0';
}

void hp_chart_sweep_texts(const hp_wi_table *t, size_t scen,
                          hp_chart_width_fn width, void *ud, double max_w,
                          hp_chart_texts *out) {
  size_t ok, inf, err;
  count_status(t, scen, &ok, &inf, &err);
  int flat;
  hp_chart_metric m = hp_chart_sweep_metric(t, scen, &flat);
  char which[80], np[32], ni[32], ne[32], errs[80] = "";
  char rest[480], brief[300];
  which_scenario(t, scen, which, sizeof which);
  grouped_count(t->n_points, np, sizeof np);
  grouped_count(inf, ni, sizeof ni);
  grouped_count(err, ne, sizeof ne);
  if (err)
    snprintf(errs, sizeof errs, ", %s error%s (value rejected)", ne,
             err == 1 ? "" : "s");
  /* Optional: what the areas are (the legend says it too). */
  const char *areas = !ok                 ? ""
                      : m == HP_CHART_TCO ? "; areas: capex by vendor, then "
                                            "electricity over the horizon"
                                          : "; areas: capex by vendor";
  const char *same =
      flat && ok > 1 ? "; capex and TCO are the same at every point" : "";
  snprintf(brief, sizeof brief, "%s: %s point%s, %s infeasible%s", which, np,
           t->n_points == 1 ? "" : "s", ni, errs);
  snprintf(rest, sizeof rest, "%s%s%s", brief, same, areas);
  /* Names as visible text: control characters escaped (buf.h). */
  char plan[300], scenario[300], key[300];
  hp_buf_text_escape(t->plan, plan, sizeof plan);
  hp_buf_text_escape(t->scenarios[scen], scenario, sizeof scenario);
  hp_buf_text_escape(t->n_keys ? t->keys[0] : "?", key, sizeof key);
  subtitle s = {"plan %s, scenario %s%s", {plan, scenario}, 2, rest, brief};
  sub_fit(&s, width, ud, max_w, out->subtitle, sizeof out->subtitle);
  snprintf(out->title, sizeof out->title, "%s against %.300s",
           m == HP_CHART_TCO ? "TCO" : "Capex", key);
  /* "years", not "years (years)": a key named by its unit needs none. */
  const char *unit = hp_wi_key_unit(t->n_keys ? t->keys[0] : "?");
  const char *last = strrchr(key, '.');
  if (strcmp(last ? last + 1 : key, unit) == 0)
    snprintf(out->xlabel, sizeof out->xlabel, "%.300s", key);
  else
    snprintf(out->xlabel, sizeof out->xlabel, "%.300s (%s)", key, unit);
  snprintf(out->ylabel, sizeof out->ylabel, "%s (100M CNY)",
           m == HP_CHART_TCO ? "TCO" : "capex");
}

void hp_chart_montecarlo_texts(const hp_wi_table *t, size_t scen,
                               const hp_wi_stats *capex,
                               hp_chart_width_fn width, void *ud, double max_w,
                               hp_chart_texts *out) {
  size_t ok, inf, err;
  count_status(t, scen, &ok, &inf, &err);
  char which[80], ns[32], no[32], ni[32], ne[32], mean[64];
  char what[300], rest[600], brief[500];
  which_scenario(t, scen, which, sizeof which);
  grouped_count(t->n_points, ns, sizeof ns);
  grouped_count(ok, no, sizeof no);
  grouped_count(inf, ni, sizeof ni);
  grouped_count(err, ne, sizeof ne);
  if (ok) {
    hp_chart_format_grouped(capex->mean / 1e8, 2, mean, sizeof mean);
    if (err)
      snprintf(what, sizeof what,
               "%s optimal, %s infeasible, %s invalid; mean %s (100M CNY)", no,
               ni, ne, mean);
    else
      snprintf(what, sizeof what,
               "%s optimal, %s infeasible; mean %s (100M CNY)", no, ni, mean);
  } else if (err) {
    snprintf(what, sizeof what, "no optimal sample (%s infeasible, %s invalid)",
             ni, ne);
  } else {
    snprintf(what, sizeof what, "no optimal sample (%s infeasible)", ni);
  }
  snprintf(brief, sizeof brief, "%s: %s sample%s, seed %llu; %s", which, ns,
           t->n_points == 1 ? "" : "s", (unsigned long long)t->seed, what);
  snprintf(rest, sizeof rest, "%s; %zu key%s uncertain", brief, t->n_keys,
           t->n_keys == 1 ? "" : "s");
  char plan[300], scenario[300];
  hp_buf_text_escape(t->plan, plan, sizeof plan);
  hp_buf_text_escape(t->scenarios[scen], scenario, sizeof scenario);
  subtitle s = {"scenario %s%s", {scenario, NULL}, 1, rest, brief};
  sub_fit(&s, width, ud, max_w, out->subtitle, sizeof out->subtitle);
  snprintf(out->title, sizeof out->title, "Monte Carlo capex: %.300s", plan);
  snprintf(out->xlabel, sizeof out->xlabel, "capex (100M CNY)");
  snprintf(out->ylabel, sizeof out->ylabel, "samples (count)");
}

#ifndef HETPLAN_HAVE_CAIRO

static int no_cairo(hp_diag *d) {
  return hp_diag_set(d, HP_ENOTSUP, NULL, 0, 0,
                     "this build has no charts (cairo was not found)");
}
int hp_chart_sweep(const hp_wi_table *t, size_t scen, hp_chart_format f,
                   char **out, size_t *len, hp_diag *d) {
  (void)t, (void)scen, (void)f, (void)out, (void)len;
  return no_cairo(d);
}
int hp_chart_montecarlo(const hp_wi_table *t, size_t scen, hp_chart_format f,
                        char **out, size_t *len, hp_diag *d) {
  (void)t, (void)scen, (void)f, (void)out, (void)len;
  return no_cairo(d);
}
int hp_chart_batch(const hp_wi_batch_entry *e, size_t n, hp_chart_format f,
                   char **out, size_t *len, hp_diag *d) {
  (void)e, (void)n, (void)f, (void)out, (void)len;
  return no_cairo(d);
}
void hp_chart_shutdown(void) {}
int hp_chart_periods(const struct hp_periods_result *r, hp_chart_format f,
                     char **out, size_t *len, hp_diag *d) {
  (void)r, (void)f, (void)out, (void)len;
  return no_cairo(d);
}

#else

#include <cairo-svg.h>
#include <cairo.h>
#include <dlfcn.h>
#include <pthread.h>

/* ----------------------------------------------------------------------------
 * cairo is loaded on first use, not linked: with its dependencies (pixman,
 * fontconfig, freetype, png, X11 libraries) it costs every hetplan start
 * 0.7 ms (perf stat on an empty program linked with and without it), and
 * only --chart needs it. Each function used here is reached through
 * cairo_api; the macros below keep the drawing code in cairo's own names.
 * ------------------------------------------------------------------------- */

#ifndef HP_CAIRO_SONAME /* set by CMake from the library it found */
#define HP_CAIRO_SONAME "libcairo.so.2"
#endif

#define HP_CAIRO_FUNCS(X)                                                      \
  X(cairo_arc)                                                                 \
  X(cairo_clip)                                                                \
  X(cairo_close_path)                                                          \
  X(cairo_create)                                                              \
  X(cairo_debug_reset_static_data)                                             \
  X(cairo_destroy)                                                             \
  X(cairo_fill)                                                                \
  X(cairo_image_surface_create)                                                \
  X(cairo_line_to)                                                             \
  X(cairo_move_to)                                                             \
  X(cairo_new_path)                                                            \
  X(cairo_paint)                                                               \
  X(cairo_rectangle)                                                           \
  X(cairo_restore)                                                             \
  X(cairo_rotate)                                                              \
  X(cairo_save)                                                                \
  X(cairo_select_font_face)                                                    \
  X(cairo_set_dash)                                                            \
  X(cairo_set_font_size)                                                       \
  X(cairo_set_line_width)                                                      \
  X(cairo_set_source_rgb)                                                      \
  X(cairo_set_source_rgba)                                                     \
  X(cairo_show_text)                                                           \
  X(cairo_status)                                                              \
  X(cairo_status_to_string)                                                    \
  X(cairo_stroke)                                                              \
  X(cairo_surface_destroy)                                                     \
  X(cairo_surface_finish)                                                      \
  X(cairo_surface_status)                                                      \
  X(cairo_surface_write_to_png_stream)                                         \
  X(cairo_svg_surface_create_for_stream)                                       \
  X(cairo_text_extents)                                                        \
  X(cairo_translate)

static struct {
#define X(f) __typeof__(f) *p_##f;
  HP_CAIRO_FUNCS(X)
#undef X
  void (*fc_fini)(void);
  int loaded;
  char error[300];
} cairo_api;
static pthread_once_t cairo_once = PTHREAD_ONCE_INIT;

static void cairo_load(void) {
  void *h = dlopen(HP_CAIRO_SONAME, RTLD_NOW | RTLD_LOCAL);
  const char *missing = NULL;
  if (!h) {
    const char *e = dlerror();
    snprintf(cairo_api.error, sizeof cairo_api.error,
             "charts need cairo (%s), which could not be loaded: %s "
             "(apt-get install libcairo2)",
             HP_CAIRO_SONAME, e ? e : "?");
    return;
  }
#define X(f)                                                                   \
  if (!(*(void **)&cairo_api.p_##f = dlsym(h, #f)) && !missing)                \
    missing = #f;
  HP_CAIRO_FUNCS(X)
#undef X
  if (missing) {
    snprintf(cairo_api.error, sizeof cairo_api.error,
             "charts need cairo (%s) with SVG support: %s is missing",
             HP_CAIRO_SONAME, missing);
    return;
  }
  /* fontconfig is cairo's dependency, not ours: its FcFini (run at
   * shutdown so that valgrind sees no leaks) comes from cairo's tree. */
  *(void **)&cairo_api.fc_fini = dlsym(h, "FcFini");
  cairo_api.loaded = 1;
}

static int cairo_ready(hp_diag *d) {
  pthread_once(&cairo_once, cairo_load);
  if (cairo_api.loaded)
    return HP_OK;
  return hp_diag_set(d, HP_ENOTSUP, NULL, 0, 0, "%s", cairo_api.error);
}

#define cairo_arc (cairo_api.p_cairo_arc)
#define cairo_clip (cairo_api.p_cairo_clip)
#define cairo_close_path (cairo_api.p_cairo_close_path)
#define cairo_create (cairo_api.p_cairo_create)
#define cairo_debug_reset_static_data                                          \
  (cairo_api.p_cairo_debug_reset_static_data)
#define cairo_destroy (cairo_api.p_cairo_destroy)
#define cairo_fill (cairo_api.p_cairo_fill)
#define cairo_image_surface_create (cairo_api.p_cairo_image_surface_create)
#define cairo_line_to (cairo_api.p_cairo_line_to)
#define cairo_move_to (cairo_api.p_cairo_move_to)
#define cairo_new_path (cairo_api.p_cairo_new_path)
#define cairo_paint (cairo_api.p_cairo_paint)
#define cairo_rectangle (cairo_api.p_cairo_rectangle)
#define cairo_restore (cairo_api.p_cairo_restore)
#define cairo_rotate (cairo_api.p_cairo_rotate)
#define cairo_save (cairo_api.p_cairo_save)
#define cairo_select_font_face (cairo_api.p_cairo_select_font_face)
#define cairo_set_dash (cairo_api.p_cairo_set_dash)
#define cairo_set_font_size (cairo_api.p_cairo_set_font_size)
#define cairo_set_line_width (cairo_api.p_cairo_set_line_width)
#define cairo_set_source_rgb (cairo_api.p_cairo_set_source_rgb)
#define cairo_set_source_rgba (cairo_api.p_cairo_set_source_rgba)
#define cairo_show_text (cairo_api.p_cairo_show_text)
#define cairo_status (cairo_api.p_cairo_status)
#define cairo_status_to_string (cairo_api.p_cairo_status_to_string)
#define cairo_stroke (cairo_api.p_cairo_stroke)
#define cairo_surface_destroy (cairo_api.p_cairo_surface_destroy)
#define cairo_surface_finish (cairo_api.p_cairo_surface_finish)
#define cairo_surface_status (cairo_api.p_cairo_surface_status)
#define cairo_surface_write_to_png_stream                                      \
  (cairo_api.p_cairo_surface_write_to_png_stream)
#define cairo_svg_surface_create_for_stream                                    \
  (cairo_api.p_cairo_svg_surface_create_for_stream)
#define cairo_text_extents (cairo_api.p_cairo_text_extents)
#define cairo_translate (cairo_api.p_cairo_translate)

/* ----------------------------------------------------------------------------
 * Output streams
 * ------------------------------------------------------------------------- */

#define W 1100.0
#define H 640.0

static cairo_status_t to_buf(void *closure, const unsigned char *data,
                             unsigned int length) {
  hp_buf *b = closure;
  hp_buf_append(b, (const char *)data, length);
  return b->oom ? CAIRO_STATUS_NO_MEMORY : CAIRO_STATUS_SUCCESS;
}

typedef struct canvas {
  cairo_surface_t *s;
  cairo_t *cr;
  hp_chart_format f;
  hp_buf out;
} canvas;

static int canvas_open(canvas *c, hp_chart_format f) {
  memset(c, 0, sizeof *c);
  hp_buf_init(&c->out);
  c->f = f;
  if (f == HP_CHART_SVG)
    c->s = cairo_svg_surface_create_for_stream(to_buf, &c->out, W, H);
  else
    c->s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, (int)W, (int)H);
  if (cairo_surface_status(c->s) != CAIRO_STATUS_SUCCESS) {
    cairo_surface_destroy(c->s);
    hp_buf_cleanup(&c->out);
    return HP_ENOMEM;
  }
  c->cr = cairo_create(c->s);
  cairo_set_source_rgb(c->cr, 1, 1, 1);
  cairo_paint(c->cr);
  cairo_select_font_face(c->cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                         CAIRO_FONT_WEIGHT_NORMAL);
  return HP_OK;
}

/* Finishes the drawing into *out; the canvas is released either way. */
static int canvas_close(canvas *c, char **out, size_t *len, hp_diag *d) {
  cairo_status_t st = cairo_status(c->cr);
  cairo_destroy(c->cr);
  if (st == CAIRO_STATUS_SUCCESS && c->f == HP_CHART_PNG)
    st = cairo_surface_write_to_png_stream(c->s, to_buf, &c->out);
  cairo_surface_finish(c->s);
  if (st == CAIRO_STATUS_SUCCESS)
    st = cairo_surface_status(c->s);
  cairo_surface_destroy(c->s);
  if (st != CAIRO_STATUS_SUCCESS || c->out.oom) {
    hp_buf_cleanup(&c->out);
    return hp_diag_set(
        d, st == CAIRO_STATUS_NO_MEMORY || c->out.oom ? HP_ENOMEM : HP_EIO,
        NULL, 0, 0, "chart: cairo: %s", cairo_status_to_string(st));
  }
  return hp_buf_detach(&c->out, out, len) == HP_OK ? HP_OK : hp_diag_oom(d);
}

void hp_chart_shutdown(void) {
  if (!cairo_api.loaded)
    return;
  cairo_debug_reset_static_data();
  if (cairo_api.fc_fini)
    cairo_api.fc_fini();
}

/* ----------------------------------------------------------------------------
 * Text: measured, elided to the room it has
 * ------------------------------------------------------------------------- */

typedef struct font {
  cairo_t *cr;
  double size; /* px */
  int bold;
} font;

static void font_set(cairo_t *cr, double size, int bold) {
  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD
                              : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
}

static double font_width(const char *str, void *ud) {
  font *f = ud;
  cairo_text_extents_t e;
  char s[4 * ELIDE_MAX]; /* measured as text_at draws it */
  hp_buf_text_escape(str, s, sizeof s);
  font_set(f->cr, f->size, f->bold);
  cairo_text_extents(f->cr, s, &e);
  return e.x_advance;
}

static double text_width(cairo_t *cr, const char *s, double size, int bold) {
  font f = {cr, size, bold};
  return font_width(s, &f);
}

/* Draws s with its anchor at (x, y): halign 0 puts the anchor at the
 * left, 1 at the right; valign 0 puts the baseline on y, 0.5 centres the
 * capitals on it (cap height taken as 0.72 of the size, DejaVu's). */
static void text_at(cairo_t *cr, double x, double y, const char *str,
                    double size, int bold, double halign, double valign) {
  /* The safety net: every name was escaped where the label was made, but
   * cairo must never get a control character or a byte that is not UTF-8
   * (it would stop drawing the whole chart). */
  char s[4 * ELIDE_MAX];
  hp_buf_text_escape(str, s, sizeof s);
  double w = text_width(cr, s, size, bold);
  cairo_move_to(cr, x - w * halign, y + size * 0.72 * valign);
  cairo_show_text(cr, s);
  cairo_new_path(cr); /* no current point left for the next path */
}

/* text_at, elided first to max_w (nothing drawn when even "…" is too
 * wide). Returns the width drawn. */
static double text_fit(cairo_t *cr, double x, double y, const char *s,
                       double size, int bold, double max_w,
                       hp_chart_elide_mode mode, const char *keep,
                       double halign, double valign) {
  char buf[ELIDE_MAX + 64];
  font f = {cr, size, bold};
  if (hp_chart_elide(s, keep, max_w, mode, font_width, &f, buf, sizeof buf) < 0)
    return 0;
  text_at(cr, x, y, buf, size, bold, halign, valign);
  return text_width(cr, buf, size, bold);
}

/* ----------------------------------------------------------------------------
 * The frame: plot area, axes, legend
 * ------------------------------------------------------------------------- */

#define PL0 95.0        /* default plot area, px */
#define PR0 (W - 250.0) /* the legend has the rest on the right */
#define PT0 70.0
#define PB0 (H - 85.0)
#define TICK_FONT 12.0
#define YTITLE_X 28.0 /* the rotated y axis title's baseline */

typedef struct plot {
  double pl, pr, pt, pb; /* plot area, px */
  hp_chart_axis x, y;
  int x_ticks, y_ticks; /* draw the axis's ticks and labels */
  int axes;             /* draw the axis lines */
} plot;

static void plot_init(plot *p) {
  memset(p, 0, sizeof *p);
  p->pl = PL0;
  p->pr = PR0;
  p->pt = PT0;
  p->pb = PB0;
  p->axes = 1;
  hp_chart_axis_fit(0, 1, 5, 0, &p->x);
  hp_chart_axis_fit(0, 1, 5, 0, &p->y);
}

static double px(const plot *p, double x) {
  return p->pl + (x - p->x.lo) / (p->x.hi - p->x.lo) * (p->pr - p->pl);
}
static double py(const plot *p, double y) {
  return p->pb - (y - p->y.lo) / (p->y.hi - p->y.lo) * (p->pb - p->pt);
}

static double widest_tick(cairo_t *cr, const hp_chart_axis *a) {
  char buf[64];
  double w = 0;
  int n = hp_chart_axis_ticks(a);
  for (int i = 0; i < n; i++) {
    hp_chart_axis_label(a, hp_chart_axis_tick(a, i), buf, sizeof buf);
    w = fmax(w, text_width(cr, buf, TICK_FONT, 0));
  }
  return w;
}

/* The y axis over [lo, hi], widened to whole steps; the left margin grows
 * to hold its widest label clear of the axis title. */
static void fit_y(cairo_t *cr, plot *p, double lo, double hi, int flags) {
  hp_chart_axis_fit(lo, hi, 6, HP_AXIS_WIDEN | flags, &p->y);
  p->y_ticks = 1;
  p->pl = fmax(PL0, YTITLE_X + 12 + widest_tick(cr, &p->y) + 8);
}

/* The x axis over [lo, hi] as it is (the data's range), with fewer ticks
 * when their labels would touch. */
static void fit_x(cairo_t *cr, plot *p, double lo, double hi) {
  for (int want = 8;; want /= 2) {
    hp_chart_axis_fit(lo, hi, want, 0, &p->x);
    double room = p->x.step / (p->x.hi - p->x.lo) * (p->pr - p->pl);
    if (want <= 2 || widest_tick(cr, &p->x) + 14 <= room)
      break;
  }
  p->x_ticks = 1;
}

/* Horizontal grid lines at the y ticks, drawn before the data. */
static void draw_grid(cairo_t *cr, const plot *p) {
  if (!p->y_ticks)
    return;
  cairo_set_line_width(cr, 1);
  cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
  int n = hp_chart_axis_ticks(&p->y);
  for (int i = 0; i < n; i++) {
    double y = floor(py(p, hp_chart_axis_tick(&p->y, i))) + 0.5;
    cairo_move_to(cr, p->pl, y);
    cairo_line_to(cr, p->pr, y);
  }
  cairo_stroke(cr);
}

static void draw_frame(cairo_t *cr, const plot *p, const hp_chart_texts *tx) {
  char buf[64];
  cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
  text_fit(cr, p->pl, 30, tx->title, 18, 1, W - p->pl - 12, HP_ELIDE_END, NULL,
           0, 0);
  cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
  text_fit(cr, p->pl, 52, tx->subtitle, 12.5, 0, W - p->pl - 12, HP_ELIDE_END,
           NULL, 0, 0);
  cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
  cairo_set_line_width(cr, 1);
  if (p->y_ticks) {
    int n = hp_chart_axis_ticks(&p->y);
    for (int i = 0; i < n; i++) {
      double y = hp_chart_axis_tick(&p->y, i);
      hp_chart_axis_label(&p->y, y, buf, sizeof buf);
      text_at(cr, p->pl - 8, py(p, y), buf, TICK_FONT, 0, 1, 0.5);
    }
  }
  if (p->x_ticks) {
    int n = hp_chart_axis_ticks(&p->x);
    for (int i = 0; i < n; i++) {
      double x = hp_chart_axis_tick(&p->x, i);
      cairo_move_to(cr, floor(px(p, x)) + 0.5, p->pb);
      cairo_line_to(cr, floor(px(p, x)) + 0.5, p->pb + 5);
      cairo_stroke(cr);
      hp_chart_axis_label(&p->x, x, buf, sizeof buf);
      text_at(cr, px(p, x), p->pb + 20, buf, TICK_FONT, 0, 0.5, 0);
    }
  }
  if (p->axes) {
    cairo_set_line_width(cr, 1.2);
    cairo_move_to(cr, p->pl, p->pt);
    cairo_line_to(cr, p->pl, p->pb);
    cairo_line_to(cr, p->pr, p->pb);
    cairo_stroke(cr);
  }
  if (tx->xlabel[0])
    text_fit(cr, (p->pl + p->pr) / 2, p->pb + 55, tx->xlabel, 13.5, 0,
             p->pr - p->pl + 100, HP_ELIDE_MIDDLE, NULL, 0.5, 0);
  if (tx->ylabel[0]) {
    cairo_save(cr);
    cairo_translate(cr, YTITLE_X, (p->pt + p->pb) / 2);
    cairo_rotate(cr, -HP_PI / 2);
    text_fit(cr, 0, 0, tx->ylabel, 13.5, 0, p->pb - p->pt, HP_ELIDE_END, NULL,
             0.5, 0);
    cairo_restore(cr);
  }
}

static void rgb_of(unsigned c, double rgb[3]) {
  rgb[0] = ((c >> 16) & 255) / 255.0;
  rgb[1] = ((c >> 8) & 255) / 255.0;
  rgb[2] = (c & 255) / 255.0;
}

static const double BLACK[3] = {0.1, 0.1, 0.1};
static const double INFEAS[3] = {0.93, 0.80, 0.80};
static const double GREY[3] = {0.45, 0.45, 0.45};
/* Electricity over the horizon, on top of capex in TCO charts: a sand
 * colour, unlike any vendor's. */
static const double ELEC[3] = {0.90, 0.85, 0.68};

/* A rectangle hatched grey: points whose value the plan rejected. */
static void hatch(cairo_t *cr, double x, double y, double w, double h) {
  cairo_save(cr);
  cairo_rectangle(cr, x, y, w, h);
  cairo_clip(cr);
  cairo_set_source_rgb(cr, 0.91, 0.91, 0.91);
  cairo_paint(cr);
  cairo_set_source_rgb(cr, 0.62, 0.62, 0.62);
  cairo_set_line_width(cr, 1.2);
  for (double k = -h; k < w; k += 7) {
    cairo_move_to(cr, x + k, y + h);
    cairo_line_to(cr, x + k + h, y);
  }
  cairo_stroke(cr);
  cairo_restore(cr);
}

/* A short text on a white ground in the middle of the plot area. */
static void plot_message(cairo_t *cr, const plot *p, const char *s) {
  double w = fmin(text_width(cr, s, 14, 0), p->pr - p->pl - 20);
  double x = (p->pl + p->pr) / 2, y = (p->pt + p->pb) / 2;
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_rectangle(cr, x - w / 2 - 10, y - 18, w + 20, 30);
  cairo_fill(cr);
  cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
  text_fit(cr, x, y, s, 14, 0, p->pr - p->pl - 20, HP_ELIDE_END, NULL, 0.5,
           0.3);
}

enum { LG_BOX, LG_LINE, LG_DASH, LG_HATCH, LG_MARK, LG_NOTE };

#define LEGEND_MAX 40

typedef struct legend {
  int n;       /* entries */
  size_t more; /* entries left out for room */
  struct {
    double rgb[3];
    int kind;        /* LG_* */
    char label[240]; /* as given; elided when drawn */
    int import;      /* keep the " (import)" suffix when eliding */
  } it[LEGEND_MAX];
} legend;

static void legend_add(legend *l, const double rgb[3], int kind,
                       const char *label) {
  if (l->n >= LEGEND_MAX) {
    l->more++;
    return;
  }
  memcpy(l->it[l->n].rgb, rgb ? rgb : BLACK, sizeof l->it[0].rgb);
  l->it[l->n].kind = kind;
  /* Vendor names come from device files: control characters as visible
   * escapes (buf.h). */
  hp_buf_text_escape(label, l->it[l->n].label, sizeof l->it[0].label);
  size_t n = strlen(label);
  l->it[l->n].import = n > 9 && strcmp(label + n - 9, " (import)") == 0;
  l->n++;
}

/* Entries down the right margin; rows close up when there are many. */
static void legend_draw(cairo_t *cr, const plot *p, legend *l) {
  if (l->more) {
    char buf[64];
    snprintf(buf, sizeof buf, "... and %zu more", l->more);
    l->n--; /* the last row says how many are left out */
    l->more++;
    legend_add(l, NULL, LG_NOTE, buf);
  }
  double x = p->pr + 25, row = 24, fs = 12.5;
  if (l->n && l->n * row > H - 16 - (p->pt + 10))
    row = (H - 16 - (p->pt + 10)) / l->n;
  if (row < 20)
    fs = fmax(8, row * 0.6);
  for (int i = 0; i < l->n; i++) {
    double y = p->pt + 10 + i * row, tx = x + 26;
    const double *c = l->it[i].rgb;
    cairo_set_source_rgb(cr, c[0], c[1], c[2]);
    switch (l->it[i].kind) {
    case LG_BOX:
      cairo_rectangle(cr, x, y - fs * 0.45, 18, fs * 0.9);
      cairo_fill(cr);
      break;
    case LG_HATCH:
      hatch(cr, x, y - fs * 0.45, 18, fs * 0.9);
      break;
    case LG_NOTE:
      tx = x;
      cairo_set_source_rgb(cr, GREY[0], GREY[1], GREY[2]);
      break;
    default: /* lines */
      cairo_set_line_width(cr, 2.5);
      if (l->it[i].kind == LG_DASH) {
        double dash[] = {6, 4};
        cairo_set_dash(cr, dash, 2, 0);
      }
      cairo_move_to(cr, x, y);
      cairo_line_to(cr, x + 18, y);
      cairo_stroke(cr);
      cairo_set_dash(cr, NULL, 0, 0);
      if (l->it[i].kind == LG_MARK) {
        cairo_arc(cr, x + 9, y, 3.5, 0, 2 * HP_PI);
        cairo_fill(cr);
      }
    }
    if (l->it[i].kind != LG_NOTE)
      cairo_set_source_rgb(cr, BLACK[0], BLACK[1], BLACK[2]);
    text_fit(cr, tx, y, l->it[i].label, fs, 0, W - tx - 8, HP_ELIDE_END,
             l->it[i].import ? " (import)" : NULL, 0, 0.5);
  }
}

/* ----------------------------------------------------------------------------
 * Sweep: stacked vendor capex under the total
 * ------------------------------------------------------------------------- */

#define ELEC_LAYER ((size_t)-1) /* layer_height: the electricity layer */

/* One layer's height at point k, 100M CNY: vendor v's capex, or the
 * electricity over the horizon (TCO - capex) for ELEC_LAYER. */
static double layer_height(const hp_wi_table *t, size_t scen, size_t k,
                           size_t v) {
  const hp_wi_row *r = row_at(t, k, scen);
  if (v == ELEC_LAYER)
    return fmax(0, r->tco_cny - r->capex_cny) / 1e8;
  return t->vendor_capex[(k * t->n_scenarios + scen) * t->n_vendors + v] / 1e8;
}

/* A run of points [p, q) of one status, and its band on the x axis: from
 * the midpoints to its neighbours, or to the plot's edges at the ends. */
static void run_band(const hp_wi_table *t, const plot *p, size_t a, size_t b,
                     double *l, double *r) {
  size_t np = t->n_points;
  double xl = a > 0     ? px(p, 0.5 * (t->values[a - 1] + t->values[a]))
              : np == 1 ? p->pl
                        : px(p, t->values[a]);
  double xr = b < np    ? px(p, 0.5 * (t->values[b - 1] + t->values[b]))
              : np == 1 ? p->pr
                        : px(p, t->values[b - 1]);
  *l = fmax(p->pl, fmin(xl, xr));
  *r = fmin(p->pr, fmax(xl, xr));
  if (*r - *l < 2) { /* a band always shows */
    double m = (*l + *r) / 2;
    *l = m - 1;
    *r = m + 1;
  }
}

int hp_chart_sweep(const hp_wi_table *t, size_t scen, hp_chart_format f,
                   char **out, size_t *len, hp_diag *d) {
  if (cairo_ready(d) != HP_OK)
    return d->status;
  if (t->kind != HP_WI_SWEEP || t->n_keys != 1)
    return hp_diag_set(d, HP_EINVAL, NULL, 0, 0,
                       "--chart draws a sweep of one --vary key");
  if (scen >= t->n_scenarios || t->n_points == 0)
    return hp_diag_set(d, HP_EINVAL, NULL, 0, 0,
                       "chart: no scenario %zu or no point", scen);
  size_t np = t->n_points, nv = t->n_vendors;
  hp_chart_metric metric = hp_chart_sweep_metric(t, scen, NULL);
  int tco = metric == HP_CHART_TCO;
  double x0 = HUGE_VAL, x1 = -HUGE_VAL, top = 0;
  size_t ok = 0;
  for (size_t p = 0; p < np; p++) {
    x0 = fmin(x0, t->values[p]);
    x1 = fmax(x1, t->values[p]);
    const hp_wi_row *r = row_at(t, p, scen);
    if (r->status == HP_RESULT_OPTIMAL) {
      top = fmax(top, (tco ? r->tco_cny : r->capex_cny) / 1e8);
      ok++;
    }
  }
  if (!(x1 > x0)) { /* one point: in the middle of a range around it */
    double m = fabs(x0) > 0 ? fabs(x0) * 0.1 : 1;
    x0 -= m;
    x1 += m;
  }
  double *base = hp_calloc(np ? np : 1, sizeof *base);
  const char **names = hp_calloc(nv ? nv : 1, sizeof *names);
  size_t *vi = hp_calloc(nv ? nv : 1, sizeof *vi);
  unsigned *col = hp_calloc(nv ? nv : 1, sizeof *col);
  canvas c;
  if (!base || !names || !vi || !col || canvas_open(&c, f) != HP_OK) {
    hp_free(base);
    hp_free(names);
    hp_free(vi);
    hp_free(col);
    return hp_diag_oom(d);
  }
  cairo_t *cr = c.cr;
  plot pl;
  plot_init(&pl);
  if (ok)
    fit_y(cr, &pl, 0, top > 0 ? top * 1.05 : 1, 0);
  fit_x(cr, &pl, x0, x1);
  hp_chart_texts tx;
  font sub = {cr, 12.5, 0};
  hp_chart_sweep_texts(t, scen, font_width, &sub, W - pl.pl - 12, &tx);
  draw_grid(cr, &pl);
  legend lg;
  memset(&lg, 0, sizeof lg);
  /* Infeasible and failed points: bands between midpoints, one per run of
   * points of the same status. */
  int shaded[2] = {0, 0};
  for (size_t p = 0; p < np;) {
    hp_result_status s = row_at(t, p, scen)->status;
    size_t q = p + 1;
    while (q < np && row_at(t, q, scen)->status == s)
      q++;
    if (s != HP_RESULT_OPTIMAL) {
      double l, r;
      run_band(t, &pl, p, q, &l, &r);
      if (s == HP_RESULT_INFEASIBLE) {
        cairo_set_source_rgb(cr, INFEAS[0], INFEAS[1], INFEAS[2]);
        cairo_rectangle(cr, l, pl.pt, r - l, pl.pb - pl.pt);
        cairo_fill(cr);
      } else {
        hatch(cr, l, pl.pt, r - l, pl.pb - pl.pt);
      }
      shaded[s == HP_RESULT_INFEASIBLE ? 0 : 1] = 1;
    }
    p = q;
  }
  /* The vendors this scenario buys somewhere, and their colours. */
  size_t nu = 0;
  for (size_t v = 0; v < nv; v++) {
    int used = 0;
    for (size_t p = 0; p < np && !used; p++)
      used = row_at(t, p, scen)->status == HP_RESULT_OPTIMAL &&
             t->vendor_capex[(p * t->n_scenarios + scen) * nv + v] > 0;
    if (used) {
      vi[nu] = v;
      names[nu++] = t->vendors[v];
    }
  }
  hp_chart_vendor_colours(names, nu, col);
  /* A lone optimal point is a bar: its neighbours are not optimal. */
  double lone_w =
      np == 1 ? 60
              : fmin(40, fmax(4, (pl.pr - pl.pl) / (double)(np - 1) * 0.6));
  /* Stacked areas, one polygon per layer per run of optimal points: the
   * vendors' capex, then (TCO charts) the electricity over the horizon. */
  for (size_t u = 0; u < nu + (size_t)tco; u++) {
    size_t v = u < nu ? vi[u] : ELEC_LAYER;
    double rgb[3];
    if (u < nu)
      rgb_of(col[u], rgb);
    else
      memcpy(rgb, ELEC, sizeof rgb);
    cairo_set_source_rgba(cr, rgb[0], rgb[1], rgb[2], 0.85);
    for (size_t p = 0; p < np;) {
      if (row_at(t, p, scen)->status != HP_RESULT_OPTIMAL) {
        p++;
        continue;
      }
      size_t q = p;
      while (q < np && row_at(t, q, scen)->status == HP_RESULT_OPTIMAL)
        q++;
      if (q - p == 1) {
        double h = layer_height(t, scen, p, v);
        double x = px(&pl, t->values[p]);
        double y1 = py(&pl, base[p] + h), y0 = py(&pl, base[p]);
        if (h > 0) {
          cairo_rectangle(cr, x - lone_w / 2, y1, lone_w, y0 - y1);
          cairo_fill(cr);
        }
        base[p] += h;
      } else {
        /* Steps: each solved point holds its mix over its own band (to
         * the midpoints with its neighbours), so the chart never shows a
         * mix between two points that no solve gave. */
        for (size_t k = p; k < q; k++) {
          double h = layer_height(t, scen, k, v), l, r;
          run_band(t, &pl, k, k + 1, &l, &r);
          double y1 = py(&pl, base[k] + h), y0 = py(&pl, base[k]);
          /* Whole pixels: neighbouring bands meet without a seam or an
           * overlap. */
          l = round(l);
          r = round(r);
          if (h > 0 && r > l) {
            cairo_rectangle(cr, l, y1, r - l, y0 - y1);
            cairo_fill(cr);
          }
          base[k] += h;
        }
      }
      p = q;
    }
    if (u < nu) {
      char lab[300];
      snprintf(lab, sizeof lab, "%s%s", names[u],
               t->vendor_domestic[v] ? "" : " (import)");
      legend_add(&lg, rgb, LG_BOX, lab);
    } else {
      legend_add(&lg, rgb, LG_BOX, "electricity over the horizon");
    }
  }
  /* The total on top: a line through each run, a marker on a lone point. */
  int lines = 0, marks = 0;
  cairo_set_source_rgb(cr, BLACK[0], BLACK[1], BLACK[2]);
  cairo_set_line_width(cr, 2);
  for (size_t p = 0; p < np; p++) {
    const hp_wi_row *r = row_at(t, p, scen);
    if (r->status != HP_RESULT_OPTIMAL)
      continue;
    double x = px(&pl, t->values[p]);
    double y = py(&pl, (tco ? r->tco_cny : r->capex_cny) / 1e8);
    int prev = p > 0 && row_at(t, p - 1, scen)->status == HP_RESULT_OPTIMAL;
    int next =
        p + 1 < np && row_at(t, p + 1, scen)->status == HP_RESULT_OPTIMAL;
    if (!prev && !next) {
      cairo_stroke(cr);
      cairo_arc(cr, x, y, 4, 0, 2 * HP_PI);
      cairo_fill(cr);
      marks = 1;
      continue;
    }
    /* The total as steps over each point's band, a dot where it was
     * solved (while the dots stay apart). */
    double l, rr;
    run_band(t, &pl, p, p + 1, &l, &rr);
    if (!prev)
      cairo_move_to(cr, l, y);
    else
      cairo_line_to(cr, l, y);
    cairo_line_to(cr, rr, y);
    lines = 1;
    if (np <= 60) {
      cairo_stroke(cr);
      cairo_arc(cr, x, y, 2.5, 0, 2 * HP_PI);
      cairo_fill(cr);
      cairo_move_to(cr, rr, y);
    }
  }
  cairo_stroke(cr);
  if (np == 1 && ok) { /* a single point: its value by the marker */
    char num[64];
    const hp_wi_row *r = row_at(t, 0, scen);
    hp_chart_format_grouped((tco ? r->tco_cny : r->capex_cny) / 1e8, 2, num,
                            sizeof num);
    text_at(cr, px(&pl, t->values[0]) + lone_w / 2 + 8,
            py(&pl, (tco ? r->tco_cny : r->capex_cny) / 1e8), num, 13, 1, 0,
            0.5);
  }
  if (lines || marks)
    legend_add(&lg, BLACK, lines ? LG_LINE : LG_MARK,
               tco ? "TCO" : "total capex");
  if (shaded[0])
    legend_add(&lg, INFEAS, LG_BOX, "infeasible");
  if (shaded[1])
    legend_add(&lg, GREY, LG_HATCH, "error (value rejected)");
  if (!ok) {
    size_t o, inf, err;
    tx.ylabel[0] = '\0'; /* no y axis without a solved point */
    char msg[160];
    count_status(t, scen, &o, &inf, &err);
    if (inf && err)
      snprintf(msg, sizeof msg,
               "no feasible point: %zu infeasible, %zu "
               "error%s",
               inf, err, err == 1 ? "" : "s");
    else if (err)
      snprintf(msg, sizeof msg,
               "no feasible point: %zu error%s (value "
               "rejected)",
               err, err == 1 ? "" : "s");
    else
      snprintf(msg, sizeof msg, "no feasible point: %zu infeasible", inf);
    plot_message(cr, &pl, msg);
  }
  legend_draw(cr, &pl, &lg);
  draw_frame(cr, &pl, &tx);
  hp_free(base);
  hp_free(names);
  hp_free(vi);
  hp_free(col);
  return canvas_close(&c, out, len, d);
}

/* ----------------------------------------------------------------------------
 * Monte Carlo: capex histogram
 * ------------------------------------------------------------------------- */

int hp_chart_montecarlo(const hp_wi_table *t, size_t scen, hp_chart_format f,
                        char **out, size_t *len, hp_diag *d) {
  if (cairo_ready(d) != HP_OK)
    return d->status;
  if (scen >= t->n_scenarios)
    return hp_diag_set(d, HP_EINVAL, NULL, 0, 0, "chart: no scenario %zu",
                       scen);
  /* The engine's statistics and bins (hp_wi_table.mc), not recomputed
   * here. */
  const hp_wi_quantity *cq = NULL;
  for (size_t q = 0; t->mc && q < t->mc[scen].n_quantities; q++)
    if (strcmp(t->mc[scen].quantities[q].column, "capex_cny") == 0)
      cq = &t->mc[scen].quantities[q];
  if (!cq)
    return hp_diag_set(d, HP_EINVAL, NULL, 0, 0,
                       "chart: the table is not a finished Monte Carlo run");
  hp_wi_stats st = cq->st;
  const hp_wi_hist *hg = &t->mc[scen].capex_hist;
  size_t ok = t->mc[scen].optimal, inf = t->mc[scen].infeasible,
         err = t->mc[scen].errors;
  /* The axis: half a bin beyond the extremes, or, for the one bin of
   * samples that all cost the same, four and a half. */
  int nb = st.n ? (int)hg->n_bins : 1;
  double lo = 0, bw = 1, x0 = 0, x1 = 1;
  if (st.n) {
    lo = hg->lo_cny / 1e8;
    bw = hg->width_cny / 1e8;
    double pad = nb > 1 ? 0.5 : 4.5;
    x0 = lo - bw * pad;
    x1 = lo + nb * bw + bw * pad;
  }
  const size_t *cnt = hg->counts;
  size_t top = 0;
  for (int b = 0; b < nb && st.n; b++)
    if (cnt[b] > top)
      top = cnt[b];
  canvas c;
  if (canvas_open(&c, f) != HP_OK)
    return hp_diag_oom(d);
  cairo_t *cr = c.cr;
  plot pl;
  plot_init(&pl);
  if (st.n) {
    fit_y(cr, &pl, 0, (double)top * 1.08, HP_AXIS_WHOLE);
    fit_x(cr, &pl, x0, x1);
  } else {
    pl.axes = 0; /* nothing to measure: no axes */
  }
  hp_chart_texts tx;
  font sub = {cr, 12.5, 0};
  hp_chart_montecarlo_texts(t, scen, &st, font_width, &sub, W - pl.pl - 12,
                            &tx);
  if (!st.n) /* no axes: nothing to name */
    tx.xlabel[0] = tx.ylabel[0] = '\0';
  legend lg;
  memset(&lg, 0, sizeof lg);
  char lab[160], n1[32], n2[32];
  if (st.n) {
    draw_grid(cr, &pl);
    const double bar[3] = {0.31, 0.47, 0.65};
    cairo_set_source_rgb(cr, bar[0], bar[1], bar[2]);
    for (int b = 0; b < nb; b++) {
      if (!cnt[b])
        continue;
      double xa = px(&pl, lo + b * bw), xb = px(&pl, lo + (b + 1) * bw);
      double y = py(&pl, (double)cnt[b]);
      cairo_rectangle(cr, xa + 0.5, y, fmax(1, xb - xa - 1), pl.pb - y);
      cairo_fill(cr);
    }
    hp_chart_format_grouped((double)ok, 0, n1, sizeof n1);
    snprintf(lab, sizeof lab, "samples (%s optimal)", n1);
    legend_add(&lg, bar, LG_BOX, lab);
    const double qc[3][3] = {
        {0.85, 0.37, 0.0}, {0.1, 0.1, 0.1}, {0.85, 0.37, 0.0}};
    const double qv[3] = {st.p10, st.p50, st.p90};
    const char *qn[3] = {"P10", "P50", "P90"};
    for (int q = 0; q < 3; q++) {
      double x = px(&pl, qv[q] / 1e8);
      cairo_set_source_rgb(cr, qc[q][0], qc[q][1], qc[q][2]);
      cairo_set_line_width(cr, 2);
      double dash[] = {6, 4};
      if (q != 1)
        cairo_set_dash(cr, dash, 2, 0);
      cairo_move_to(cr, x, pl.pt);
      cairo_line_to(cr, x, pl.pb);
      cairo_stroke(cr);
      cairo_set_dash(cr, NULL, 0, 0);
      int left = x + 40 > pl.pr; /* the name beside its line, inside */
      text_at(cr, left ? x - 4 : x + 4, pl.pt + 12 + q * 16, qn[q], 12, 0, left,
              0);
      hp_chart_format_grouped(qv[q] / 1e8, 2, n1, sizeof n1);
      snprintf(lab, sizeof lab, "%s %s (100M CNY)", qn[q], n1);
      legend_add(&lg, qc[q], q == 1 ? LG_LINE : LG_DASH, lab);
    }
  } else {
    cairo_set_source_rgb(cr, 0.85, 0.85, 0.85); /* the empty plot area */
    cairo_set_line_width(cr, 1);
    cairo_rectangle(cr, pl.pl + 0.5, pl.pt + 0.5, pl.pr - pl.pl, pl.pb - pl.pt);
    cairo_stroke(cr);
    hp_chart_format_grouped((double)inf, 0, n1, sizeof n1);
    snprintf(lab, sizeof lab, "no optimal sample to draw (%s infeasible)", n1);
    if (err) {
      hp_chart_format_grouped((double)err, 0, n2, sizeof n2);
      snprintf(lab, sizeof lab,
               "no optimal sample to draw (%s infeasible, %s invalid)", n1, n2);
    }
    plot_message(cr, &pl, lab);
  }
  /* Samples the histogram leaves out: said, not drawn. */
  if (st.n && (inf || err)) {
    hp_chart_format_grouped((double)inf, 0, n1, sizeof n1);
    hp_chart_format_grouped((double)err, 0, n2, sizeof n2);
    if (inf) {
      snprintf(lab, sizeof lab, "not drawn: %s infeasible", n1);
      legend_add(&lg, NULL, LG_NOTE, lab);
    }
    if (err) {
      snprintf(lab, sizeof lab, "not drawn: %s invalid", n2);
      legend_add(&lg, NULL, LG_NOTE, lab);
    }
  }
  legend_draw(cr, &pl, &lg);
  draw_frame(cr, &pl, &tx);
  return canvas_close(&c, out, len, d);
}

/* ----------------------------------------------------------------------------
 * Batch: stacked vendor capex per scenario
 * ------------------------------------------------------------------------- */

/* A bar's name: its scenario's, or the base name of a plan file that did
 * not load, with " (bad input)". */
static void bar_label(const hp_wi_batch_entry *e, const hp_scenario_result *r,
                      char *buf, size_t n) {
  if (r) {
    hp_buf_text_escape(r->name, buf, n);
    return;
  }
  const char *base = strrchr(e->path, '/');
  size_t len = hp_buf_text_escape(base ? base + 1 : e->path, buf, n);
  snprintf(buf + len, n - len, " (bad input)");
}

/* The bottom margin for names slanted by ang (0: level), the longest
 * wmax px wide: from 60 px up to 42% of the height. */
static double slant_bottom(double ang, double wmax, double fs) {
  double b = ang == 0 ? 40 : 10 + wmax * sin(ang) + fs * cos(ang) + 10;
  return fmin(fmax(b, 60), 0.42 * H);
}

/* The length a name slanted by ang can have under a bar centred at xc:
 * down to the canvas's bottom edge, and left to its left edge. */
static double slant_room(double ang, double xc, double pb, double fs) {
  double room = (H - 6 - (pb + 10) - fs * cos(ang)) / sin(ang);
  if (ang < HP_PI / 2 - 1e-9)
    room = fmin(room, (xc - 4 - fs * sin(ang)) / cos(ang));
  return room;
}

/* Of n things, one in k is labelled, for labels w px apart when `room`
 * px is what each needs. */
static int one_in(double w, double room) {
  if (!(w > 0) || w >= room)
    return 1;
  double k = ceil(room / w - 1e-9);
  return k > 1e6 ? 1000000 : (int)k;
}

int hp_chart_batch(const hp_wi_batch_entry *e, size_t n, hp_chart_format f,
                   char **out, size_t *len, hp_diag *d) {
  if (cairo_ready(d) != HP_OK)
    return d->status;
  /* Bars: one per scenario (and one per plan that failed to load). */
  size_t nb = 0, nvmax = 0;
  double top = 0;
  for (size_t i = 0; i < n; i++) {
    if (!e[i].plan) {
      nb++;
      continue;
    }
    for (size_t j = 0; j < hp_plan_count(e[i].plan); j++, nb++) {
      const hp_scenario_result *r = hp_plan_at(e[i].plan, j);
      nvmax += r->n_vendors;
      if (r->status == HP_RESULT_OPTIMAL)
        top = fmax(top, r->capex_cny / 1e8);
    }
  }
  if (nb == 0)
    return hp_diag_set(d, HP_EINVAL, NULL, 0, 0, "chart: nothing to draw");
  /* Vendors in order of first appearance, for the legend. */
  const char **vend = hp_calloc(nvmax ? nvmax : 1, sizeof *vend);
  int *dom = hp_calloc(nvmax ? nvmax : 1, sizeof *dom);
  unsigned *col = hp_calloc(nvmax ? nvmax : 1, sizeof *col);
  double *lw = hp_calloc(nb, sizeof *lw); /* names' widths, px */
  canvas c;
  if (!vend || !dom || !col || !lw || canvas_open(&c, f) != HP_OK) {
    hp_free(vend);
    hp_free(dom);
    hp_free(col);
    hp_free(lw);
    return hp_diag_oom(d);
  }
  size_t nvend = 0;
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; e[i].plan && j < hp_plan_count(e[i].plan); j++) {
      const hp_scenario_result *r = hp_plan_at(e[i].plan, j);
      for (size_t v = 0; v < r->n_vendors; v++) {
        size_t k = 0;
        while (k < nvend && strcmp(vend[k], r->vendors[v].vendor) != 0)
          k++;
        if (k == nvend) {
          dom[nvend] = r->vendors[v].domestic;
          vend[nvend++] = r->vendors[v].vendor;
        }
      }
    }
  hp_chart_vendor_colours(vend, nvend, col);
  cairo_t *cr = c.cr;
  plot pl;
  plot_init(&pl);
  char lab[ELIDE_MAX + 64];
  /* The names under the bars: level when each fits its slot, else at the
   * least slant that gives every name its full length (or, failing that,
   * the most of it), among those that keep neighbours a line apart (a
   * slant of a sees them slot x sin(a) apart); upright names may be
   * thinned to one in k. The bottom margin grows to the longest name, up
   * to 42% of the height; names longer than their room are elided in the
   * middle. */
  double slot = (pl.pr - pl.pl) / (double)nb;
  double fs = slot < 30 ? 9 : 11, wmax = 0;
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    size_t m = e[i].plan ? hp_plan_count(e[i].plan) : 1;
    for (size_t j = 0; j < m; j++, k++) {
      bar_label(&e[i], e[i].plan ? hp_plan_at(e[i].plan, j) : NULL, lab,
                sizeof lab);
      lw[k] = text_width(cr, lab, fs, 0);
      wmax = fmax(wmax, lw[k]);
    }
  }
  static const double slants[] = {HP_PI / 7, HP_PI / 4, HP_PI / 3, HP_PI / 2};
  double ang = 0, best = -1;
  for (size_t a = 0; wmax > slot - 6 && a < 4; a++) {
    if (a < 3 && slot * sin(slants[a]) < 1.3 * fs)
      continue;
    double pb = H - slant_bottom(slants[a], wmax, fs), score = 1;
    for (k = 0; k < nb; k++)
      if (lw[k] > 0)
        score =
            fmin(score,
                 slant_room(slants[a], PL0 + slot * (k + 0.5), pb, fs) / lw[k]);
    if (score > best + 1e-9) {
      best = score;
      ang = slants[a];
    }
    if (score >= 1)
      break;
  }
  pl.pb = H - slant_bottom(ang, wmax, fs);
  int vd = top >= 100 ? 0 : top >= 10 ? 1 : 2; /* decimals of the totals */
  double wv = 0;
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; e[i].plan && j < hp_plan_count(e[i].plan); j++) {
      const hp_scenario_result *r = hp_plan_at(e[i].plan, j);
      if (r->status != HP_RESULT_OPTIMAL)
        continue;
      hp_chart_format_grouped(r->capex_cny / 1e8, vd, lab, sizeof lab);
      wv = fmax(wv, text_width(cr, lab, fs, 0));
    }
  /* Totals too wide for their bars stand upright above them, so that
   * every bar keeps its total (one in two was dropped before). */
  int vert = wv + 5 > slot - 2 && slot >= fs * 1.2;
  double need = vert ? wv + 10 : fs + 10;
  /* The y axis, with room above the tallest bar for its total. */
  fit_y(cr, &pl, 0, top > 0 ? top * 1.05 : 1, 0);
  for (int i = 0; i < 12 && top > 0 && py(&pl, top) - pl.pt < need; i++)
    fit_y(cr, &pl, 0, pl.y.hi + pl.y.step, 0);
  slot = (pl.pr - pl.pl) / (double)nb;
  int kl = ang == 0 ? 1 : one_in(slot * sin(ang), fs * 1.3);
  int kv = vert ? 1 : one_in(slot, wv + 5);
  draw_grid(cr, &pl);
  k = 0;
  for (size_t i = 0; i < n; i++) {
    size_t m = e[i].plan ? hp_plan_count(e[i].plan) : 1;
    for (size_t j = 0; j < m; j++, k++) {
      const hp_scenario_result *r = e[i].plan ? hp_plan_at(e[i].plan, j) : NULL;
      double x0 = pl.pl + slot * (double)k + slot * 0.15;
      double bwid = fmax(1, slot * 0.7), xc = x0 + bwid / 2;
      if (r && r->status == HP_RESULT_OPTIMAL) {
        double y = 0;
        for (size_t v = 0; v < r->n_vendors; v++) {
          size_t vi = 0;
          while (vi < nvend && strcmp(vend[vi], r->vendors[v].vendor) != 0)
            vi++;
          double rgb[3], h = r->vendors[v].capex_cny / 1e8;
          rgb_of(col[vi], rgb);
          cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
          cairo_rectangle(cr, x0, py(&pl, y + h), bwid,
                          py(&pl, y) - py(&pl, y + h));
          cairo_fill(cr);
          y += h;
        }
        if (k % (size_t)kv == 0) {
          hp_chart_format_grouped(r->capex_cny / 1e8, vd, lab, sizeof lab);
          cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
          if (vert) {
            cairo_save(cr);
            cairo_translate(cr, xc + fs * 0.36, py(&pl, y) - 5);
            cairo_rotate(cr, -HP_PI / 2);
            text_at(cr, 0, 0, lab, fs, 0, 0, 0);
            cairo_restore(cr);
          } else {
            text_at(cr, xc, py(&pl, y) - 6, lab, fs, 0, 0.5, 0);
          }
        }
      } else {
        /* No bar: a red mark on the axis, and what happened upright. */
        const char *what = !r                                  ? "input error"
                           : r->status == HP_RESULT_INFEASIBLE ? "infeasible"
                                                               : "error";
        double fz = fmin(12, slot * 0.8);
        cairo_set_source_rgb(cr, 0.75, 0.2, 0.2);
        cairo_rectangle(cr, x0, pl.pb - 3, bwid, 3);
        cairo_fill(cr);
        if (fz >= 7) {
          cairo_save(cr);
          cairo_translate(cr, xc + fz * 0.36, pl.pb - 8);
          cairo_rotate(cr, -HP_PI / 2);
          text_fit(cr, 0, 0, what, fz, 0, pl.pb - pl.pt - 12, HP_ELIDE_END,
                   NULL, 0, 0);
          cairo_restore(cr);
        }
      }
      if (k % (size_t)kl != 0)
        continue;
      bar_label(&e[i], r, lab, sizeof lab);
      const char *keep = r ? NULL : " (bad input)";
      cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
      if (ang == 0) {
        text_fit(cr, xc, pl.pb + 18, lab, fs, 0, slot - 4, HP_ELIDE_MIDDLE,
                 keep, 0.5, 0);
        continue;
      }
      double room = slant_room(ang, xc, pl.pb, fs);
      cairo_save(cr);
      cairo_translate(cr, xc, pl.pb + 10);
      cairo_rotate(cr, -ang);
      text_fit(cr, 0, 0, lab, fs, 0, room, HP_ELIDE_MIDDLE, keep, 1, 0.5);
      cairo_restore(cr);
    }
  }
  /* Plan groups: a separator between plans and each plan's name on top;
   * when a name is wider than its group, every group is numbered and the
   * legend gives the names in full ("doub…eep" told nobody which plan). */
  int numbered = 0;
  k = 0;
  for (size_t i = 0; i < n; i++) {
    size_t m = e[i].plan ? hp_plan_count(e[i].plan) : 1;
    const char *name = e[i].plan ? hp_plan_name(e[i].plan) : e[i].path;
    if (!e[i].plan && strrchr(name, '/'))
      name = strrchr(name, '/') + 1;
    if (n > 1 && text_width(cr, name, 11, 0) > slot * (double)m - 6)
      numbered = 1;
    k += m;
  }
  k = 0;
  for (size_t i = 0; i < n; i++) {
    size_t m = e[i].plan ? hp_plan_count(e[i].plan) : 1;
    double gx0 = pl.pl + slot * (double)k, gx1 = pl.pl + slot * (double)(k + m);
    if (k > 0) {
      double dash[] = {3, 3};
      cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
      cairo_set_line_width(cr, 1);
      cairo_set_dash(cr, dash, 2, 0);
      cairo_move_to(cr, floor(gx0) + 0.5, pl.pt);
      cairo_line_to(cr, floor(gx0) + 0.5, pl.pb);
      cairo_stroke(cr);
      cairo_set_dash(cr, NULL, 0, 0);
    }
    const char *name = e[i].plan ? hp_plan_name(e[i].plan) : e[i].path;
    if (!e[i].plan && strrchr(name, '/'))
      name = strrchr(name, '/') + 1;
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    char num[32];
    snprintf(num, sizeof num, "%zu", i + 1);
    text_fit(cr, (gx0 + gx1) / 2, pl.pt - 4, numbered ? num : name, 11, 0,
             gx1 - gx0 - 2, HP_ELIDE_MIDDLE, NULL, 0.5, 0);
    k += m;
  }
  legend lg;
  memset(&lg, 0, sizeof lg);
  for (size_t v = 0; v < nvend; v++) {
    double rgb[3];
    rgb_of(col[v], rgb);
    snprintf(lab, sizeof lab, "%s%s", vend[v], dom[v] ? "" : " (import)");
    legend_add(&lg, rgb, LG_BOX, lab);
  }
  for (size_t i = 0; numbered && i < n; i++) {
    const char *name = e[i].plan ? hp_plan_name(e[i].plan) : e[i].path;
    if (!e[i].plan && strrchr(name, '/'))
      name = strrchr(name, '/') + 1;
    snprintf(lab, sizeof lab, "%s%zu  %s", i ? "" : "plans: ", i + 1, name);
    legend_add(&lg, NULL, LG_NOTE, lab);
  }
  legend_draw(cr, &pl, &lg);
  hp_chart_texts tx;
  char thin[120] = "";
  if (kl > 1 && kv > 1)
    snprintf(thin, sizeof thin, "; one name in %d and one total in %d shown",
             kl, kv);
  else if (kl > 1)
    snprintf(thin, sizeof thin, "; one name in %d shown", kl);
  else if (kv > 1)
    snprintf(thin, sizeof thin, "; one total in %d shown", kv);
  snprintf(tx.title, sizeof tx.title, "Capex per scenario");
  snprintf(tx.subtitle, sizeof tx.subtitle,
           "%zu plan%s, %zu scenario%s; bars: capex by vendor, label = total "
           "(100M CNY)%s",
           n, n == 1 ? "" : "s", nb, nb == 1 ? "" : "s", thin);
  tx.xlabel[0] = '\0';
  snprintf(tx.ylabel, sizeof tx.ylabel, "capex (100M CNY)");
  draw_frame(cr, &pl, &tx);
  hp_free(vend);
  hp_free(dom);
  hp_free(col);
  hp_free(lw);
  return canvas_close(&c, out, len, d);
}

/* ----------------------------------------------------------------------------
 * Periods (issue 22): the fleet by vendor per period
 * ------------------------------------------------------------------------- */

/* White stripes over a filled rectangle: what a period bought. */
static void stripes(cairo_t *cr, double x, double y, double w, double h) {
  cairo_save(cr);
  cairo_rectangle(cr, x, y, w, h);
  cairo_clip(cr);
  cairo_set_source_rgba(cr, 1, 1, 1, 0.6);
  cairo_set_line_width(cr, 2);
  for (double k = -h; k < w; k += 8) {
    cairo_move_to(cr, x + k, y + h);
    cairo_line_to(cr, x + k + h, y);
  }
  cairo_stroke(cr);
  cairo_restore(cr);
}

int hp_chart_periods(const struct hp_periods_result *r, hp_chart_format f,
                     char **out, size_t *len, hp_diag *d) {
  if (cairo_ready(d) != HP_OK)
    return d->status;
  if (r->status != HP_RESULT_OPTIMAL || r->n_periods == 0)
    return hp_diag_set(d, HP_EINVAL, NULL, 0, 0,
                       "chart: scenario '%s' has no plan to draw", r->name);
  size_t np = r->n_periods, nv = 0;
  const char **vend = hp_calloc(r->n_skus ? r->n_skus : 1, sizeof *vend);
  int *dom = hp_calloc(r->n_skus ? r->n_skus : 1, sizeof *dom);
  unsigned *col = hp_calloc(r->n_skus ? r->n_skus : 1, sizeof *col);
  canvas c;
  if (!vend || !dom || !col || canvas_open(&c, f) != HP_OK) {
    hp_free(vend);
    hp_free(dom);
    hp_free(col);
    return hp_diag_oom(d);
  }
  /* Vendors with servers in service, in SKU order. */
  double top = 0;
  for (size_t p = 0; p < np; p++) {
    top = fmax(top, fmax(r->periods[p].capacity_tokens_per_s,
                         r->periods[p].demand_tokens_per_s));
    for (size_t k = 0; k < r->n_skus; k++) {
      if (r->periods[p].sku[k].in_service <= 0)
        continue;
      size_t v = 0;
      while (v < nv && strcmp(vend[v], r->vendors[k]) != 0)
        v++;
      if (v == nv) {
        dom[nv] = r->domestic[k];
        vend[nv++] = r->vendors[k];
      }
    }
  }
  hp_chart_vendor_colours(vend, nv, col);
  cairo_t *cr = c.cr;
  plot pl;
  plot_init(&pl);
  double scale = top >= 1e6 ? 1e6 : 1; /* million tokens/s */
  fit_y(cr, &pl, 0, top > 0 ? top / scale * 1.08 : 1, 0);
  draw_grid(cr, &pl);
  double slot = (pl.pr - pl.pl) / (double)np;
  char lab[128];
  double fs = slot < 40 ? 9 : 11;
  for (size_t p = 0; p < np; p++) {
    const hp_period_out *o = &r->periods[p];
    double x0 = pl.pl + slot * (double)p + slot * 0.18;
    double bw = fmax(1, slot * 0.64), y = 0;
    for (size_t v = 0; v < nv; v++) {
      double tok = 0, new_tok = 0;
      for (size_t k = 0; k < r->n_skus; k++) {
        const hp_period_sku *s = &o->sku[k];
        if (strcmp(r->vendors[k], vend[v]) != 0 || s->in_service <= 0)
          continue;
        tok += s->tokens_per_s;
        new_tok += s->tokens_per_s * fmin(1, s->bought / s->in_service);
      }
      if (tok <= 0)
        continue;
      double rgb[3], h = tok / scale, hn = new_tok / scale;
      rgb_of(col[v], rgb);
      cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
      cairo_rectangle(cr, x0, py(&pl, y + h), bw, py(&pl, y) - py(&pl, y + h));
      cairo_fill(cr);
      if (hn > 0) /* bought in this period: striped, on top of the vendor */
        stripes(cr, x0, py(&pl, y + h), bw,
                py(&pl, y + h - hn) - py(&pl, y + h));
      y += h;
    }
    if (o->bought_servers > 0) {
      hp_chart_format_grouped(o->bought_servers, 0, lab, sizeof lab);
      char txt[160];
      snprintf(txt, sizeof txt, "+%s", lab);
      cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
      text_fit(cr, x0 + bw / 2, py(&pl, y) - 5, txt, fs, 0, slot - 2,
               HP_ELIDE_END, NULL, 0.5, 0);
    }
    /* The demand: a short black bar across the slot. */
    double yd = py(&pl, o->demand_tokens_per_s / scale);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 2.5);
    cairo_move_to(cr, pl.pl + slot * (double)p + 2, yd);
    cairo_line_to(cr, pl.pl + slot * (double)(p + 1) - 2, yd);
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    text_fit(cr, x0 + bw / 2, pl.pb + 18, o->name, fs, 0, slot - 4,
             HP_ELIDE_MIDDLE, NULL, 0.5, 0);
  }
  legend lg;
  memset(&lg, 0, sizeof lg);
  for (size_t v = 0; v < nv; v++) {
    double rgb[3];
    rgb_of(col[v], rgb);
    snprintf(lab, sizeof lab, "%s%s", vend[v], dom[v] ? "" : " (import)");
    legend_add(&lg, rgb, LG_BOX, lab);
  }
  legend_add(&lg, NULL, LG_HATCH, "striped: bought in the period");
  legend_add(&lg, NULL, LG_LINE, "demand at peak");
  legend_draw(cr, &pl, &lg);
  hp_chart_texts tx;
  snprintf(tx.title, sizeof tx.title, "Fleet in service by vendor, per period");
  snprintf(tx.subtitle, sizeof tx.subtitle,
           "scenario %s; bars: capacity of the servers in service, striped "
           "where bought in the period; label: servers bought",
           r->name);
  tx.xlabel[0] = '\0';
  snprintf(tx.ylabel, sizeof tx.ylabel, "%s",
           scale > 1 ? "capacity (million tokens/s)" : "capacity (tokens/s)");
  draw_frame(cr, &pl, &tx);
  hp_free(vend);
  hp_free(dom);
  hp_free(col);
  return canvas_close(&c, out, len, d);
}

#endif /* HETPLAN_HAVE_CAIRO */
