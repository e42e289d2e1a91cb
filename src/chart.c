/* chart.c - what-if charts with cairo: sweep areas, Monte Carlo histograms,
 * batch bars; PNG or SVG rendered into memory.
 *
 * One frame for all three (title, plot area, axes with "nice" ticks, a
 * legend on the right); each chart only maps numbers the engine computed
 * onto it (histograms bin them). Layout: output streams, the frame, the
 * three charts.
 */
#include "chart.h"

#define HP_PI 3.14159265358979323846

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "mem.h"
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
 * The frame
 * ------------------------------------------------------------------------- */

/* Plot area. */
#define PL 95.0
#define PR (W - 250.0)
#define PT 70.0
#define PB (H - 85.0)

typedef struct axes {
  double x0, x1, y0, y1; /* data ranges */
} axes;

static double px(const axes *a, double x) {
  return PL + (x - a->x0) / (a->x1 - a->x0) * (PR - PL);
}
static double py(const axes *a, double y) {
  return PB - (y - a->y0) / (a->y1 - a->y0) * (PB - PT);
}

/* A "nice" tick step (1, 2 or 5 x 10^k) giving about `want` ticks. */
static double nice_step(double range, int want) {
  double raw = range / want;
  double mag = pow(10, floor(log10(raw)));
  double f = raw / mag;
  return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * mag;
}

/* Widens [lo, hi] to whole tick steps. */
static void nice_range(double *lo, double *hi, int want) {
  if (!(*hi > *lo)) {
    double m = fabs(*lo) > 0 ? fabs(*lo) * 0.05 : 1;
    *lo -= m;
    *hi += m;
  }
  double s = nice_step(*hi - *lo, want);
  *lo = floor(*lo / s + 1e-9) * s;
  *hi = ceil(*hi / s - 1e-9) * s;
}

static void text_at(cairo_t *cr, double x, double y, const char *s, double size,
                    double halign, double valign) {
  cairo_text_extents_t e;
  cairo_set_font_size(cr, size);
  cairo_text_extents(cr, s, &e);
  cairo_move_to(cr, x - e.x_advance * halign - e.x_bearing * 0,
                y + e.height * valign);
  cairo_show_text(cr, s);
  cairo_new_path(cr); /* no current point left for the next path */
}

/* Tick label: up to 6 significant digits, no exponent below 1e7. */
static void tick_label(double v, double step, char *buf, size_t n) {
  if (fabs(v) < step * 1e-9)
    v = 0;
  if (fabs(v) >= 1e7 || (v != 0 && fabs(v) < 1e-4))
    snprintf(buf, n, "%.3g", v);
  else {
    int dec = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
    if (dec > 6)
      dec = 6;
    snprintf(buf, n, "%.*f", dec, v);
  }
}

/* Horizontal grid lines at the y ticks, drawn before the data. */
static void draw_grid(cairo_t *cr, const axes *a) {
  double ys = nice_step(a->y1 - a->y0, 6);
  cairo_set_line_width(cr, 1);
  cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
  for (double y = a->y0; y <= a->y1 + ys * 1e-6; y += ys) {
    cairo_move_to(cr, PL, floor(py(a, y)) + 0.5);
    cairo_line_to(cr, PR, floor(py(a, y)) + 0.5);
  }
  cairo_stroke(cr);
}

static void draw_frame(cairo_t *cr, const axes *a, const char *title,
                       const char *subtitle, const char *xlabel,
                       const char *ylabel, int x_ticks) {
  char buf[64];
  cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                         CAIRO_FONT_WEIGHT_BOLD);
  text_at(cr, PL, 30, title, 18, 0, 0);
  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL,
                         CAIRO_FONT_WEIGHT_NORMAL);
  if (subtitle) {
    cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
    text_at(cr, PL, 52, subtitle, 12.5, 0, 0);
  }
  /* Y ticks (the grid lines were drawn under the data by draw_grid). */
  double ys = nice_step(a->y1 - a->y0, 6);
  cairo_set_line_width(cr, 1);
  for (double y = a->y0; y <= a->y1 + ys * 1e-6; y += ys) {
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    tick_label(y, ys, buf, sizeof buf);
    text_at(cr, PL - 8, py(a, y), buf, 12, 1, 0.5);
  }
  if (x_ticks) {
    double xs = nice_step(a->x1 - a->x0, 8);
    double first = ceil(a->x0 / xs - 1e-9) * xs;
    for (double x = first; x <= a->x1 + xs * 1e-6; x += xs) {
      cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
      cairo_move_to(cr, floor(px(a, x)) + 0.5, PB);
      cairo_line_to(cr, floor(px(a, x)) + 0.5, PB + 5);
      cairo_stroke(cr);
      tick_label(x, xs, buf, sizeof buf);
      text_at(cr, px(a, x), PB + 20, buf, 12, 0.5, 0);
    }
  }
  /* Axes. */
  cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
  cairo_set_line_width(cr, 1.2);
  cairo_move_to(cr, PL, PT);
  cairo_line_to(cr, PL, PB);
  cairo_line_to(cr, PR, PB);
  cairo_stroke(cr);
  text_at(cr, (PL + PR) / 2, H - 30, xlabel, 13.5, 0.5, 0);
  cairo_save(cr);
  cairo_translate(cr, 28, (PT + PB) / 2);
  cairo_rotate(cr, -HP_PI / 2);
  text_at(cr, 0, 0, ylabel, 13.5, 0.5, 0);
  cairo_restore(cr);
}

/* Legend entries down the right margin. kind: 0 box, 1 line, 2 dashed. */
static void legend_entry(cairo_t *cr, int i, const double rgb[3], int kind,
                         const char *label) {
  double x = PR + 25, y = PT + 10 + i * 24;
  cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
  if (kind == 0) {
    cairo_rectangle(cr, x, y - 6, 18, 12);
    cairo_fill(cr);
  } else {
    cairo_set_line_width(cr, 2.5);
    if (kind == 2) {
      double dash[] = {6, 4};
      cairo_set_dash(cr, dash, 2, 0);
    }
    cairo_move_to(cr, x, y);
    cairo_line_to(cr, x + 18, y);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
  }
  cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
  char buf[40];
  snprintf(buf, sizeof buf, "%.30s%s", label, strlen(label) > 30 ? "..." : "");
  text_at(cr, x + 26, y, buf, 12.5, 0, 0.4);
}

/* A palette that tells vendors apart (Tableau 10, then 10 lighter ones);
 * NVIDIA keeps its own green so that it reads the same in every chart. */
static void vendor_rgb(const char *vendor, size_t i, double rgb[3]) {
  static const unsigned pal[] = {
      0x4e79a7, 0xf28e2b, 0xe15759, 0x76b7b2, 0x59a14f, 0xedc948, 0xb07aa1,
      0xff9da7, 0x9c755f, 0xbab0ac, 0x1f77b4, 0xaec7e8, 0xffbb78, 0x98df8a,
      0xff9896, 0xc5b0d5, 0xc49c94, 0xf7b6d2, 0xdbdb8d, 0x9edae5};
  unsigned c = strcmp(vendor, "NVIDIA") == 0
                   ? 0x76b900
                   : pal[i % (sizeof pal / sizeof pal[0])];
  rgb[0] = ((c >> 16) & 255) / 255.0;
  rgb[1] = ((c >> 8) & 255) / 255.0;
  rgb[2] = (c & 255) / 255.0;
}

static const double BLACK[3] = {0.1, 0.1, 0.1};
static const double INFEAS[3] = {0.93, 0.80, 0.80};

/* ----------------------------------------------------------------------------
 * Sweep: stacked vendor capex under the total
 * ------------------------------------------------------------------------- */

static const char *unit_of_key(const char *key) {
  /* The same table as the text renderers would be better shared; the chart
   * only needs the common ones. */
  const char *seg = strrchr(key, '.');
  seg = seg ? seg + 1 : key;
  if (strstr(key, "caps."))
    return "cards";
  if (!strcmp(seg, "min") || !strcmp(seg, "max") || !strcmp(seg, "mfu") ||
      !strcmp(seg, "headroom") || !strcmp(seg, "utilisation") ||
      !strcmp(seg, "max_vendor_share"))
    return "fraction";
  if (!strcmp(seg, "tokens_per_day"))
    return "tokens/day";
  if (strstr(seg, "_cny_per_kwh"))
    return "CNY/kWh";
  if (strstr(seg, "_cny"))
    return "CNY";
  if (!strcmp(seg, "power_mw"))
    return "MW";
  if (!strcmp(seg, "years"))
    return "years";
  if (!strcmp(seg, "peak_factor"))
    return "x";
  return "plan units";
}

int hp_chart_sweep(const hp_wi_table *t, size_t scen, hp_chart_format f,
                   char **out, size_t *len, hp_diag *d) {
  if (cairo_ready(d) != HP_OK)
    return d->status;
  if (t->kind != HP_WI_SWEEP || t->n_keys != 1)
    return hp_diag_set(d, HP_EINVAL, NULL, 0, 0,
                       "--chart draws a sweep of one --vary key");
  if (scen >= t->n_scenarios)
    return hp_diag_set(d, HP_EINVAL, NULL, 0, 0, "chart: no scenario %zu",
                       scen);
  size_t np = t->n_points, ns = t->n_scenarios, nv = t->n_vendors;
  axes a = {HUGE_VAL, -HUGE_VAL, 0, 0};
  int any = 0;
  for (size_t p = 0; p < np; p++) {
    double x = t->values[p];
    a.x0 = fmin(a.x0, x);
    a.x1 = fmax(a.x1, x);
    const hp_wi_row *r = &t->rows[p * ns + scen];
    if (r->status == HP_RESULT_OPTIMAL) {
      a.y1 = fmax(a.y1, r->capex_cny / 1e8);
      any = 1;
    }
  }
  if (!(a.x1 > a.x0)) {
    a.x0 -= 0.5;
    a.x1 += 0.5;
  }
  if (!any)
    a.y1 = 1;
  a.y1 *= 1.05;
  nice_range(&a.y0, &a.y1, 6);
  canvas c;
  if (canvas_open(&c, f) != HP_OK)
    return hp_diag_oom(d);
  cairo_t *cr = c.cr;
  draw_grid(cr, &a);
  /* Infeasible or failed points: shaded bands between midpoints. */
  int shaded = 0;
  for (size_t p = 0; p < np; p++) {
    if (t->rows[p * ns + scen].status == HP_RESULT_OPTIMAL)
      continue;
    /* One band per run of unsolved points, from midpoint to midpoint. */
    size_t q = p;
    while (q + 1 < np &&
           t->rows[(q + 1) * ns + scen].status != HP_RESULT_OPTIMAL)
      q++;
    double xl = p > 0 ? 0.5 * (t->values[p] + t->values[p - 1]) : t->values[p];
    double xr =
        q + 1 < np ? 0.5 * (t->values[q] + t->values[q + 1]) : t->values[q];
    p = q;
    double l = px(&a, fmin(xl, xr)), rr = px(&a, fmax(xl, xr));
    if (rr - l < 1)
      rr = l + 1;
    cairo_set_source_rgb(cr, INFEAS[0], INFEAS[1], INFEAS[2]);
    cairo_rectangle(cr, l, PT, rr - l, PB - PT);
    cairo_fill(cr);
    shaded = 1;
  }
  /* Stacked areas, one polygon per vendor per run of optimal points. */
  double *base = hp_calloc(np ? np : 1, sizeof *base);
  if (!base) {
    cairo_destroy(cr);
    cairo_surface_destroy(c.s);
    hp_buf_cleanup(&c.out);
    return hp_diag_oom(d);
  }
  int legend = 0;
  char title[300], sub[400], xl[300];
  for (size_t v = 0; v < nv; v++) {
    int used = 0;
    for (size_t p = 0; p < np && !used; p++)
      used = t->vendor_capex[(p * ns + scen) * nv + v] > 0;
    if (!used)
      continue;
    double rgb[3];
    vendor_rgb(t->vendors[v], v, rgb);
    size_t p = 0;
    while (p < np) {
      while (p < np && t->rows[p * ns + scen].status != HP_RESULT_OPTIMAL)
        p++;
      size_t q = p;
      while (q < np && t->rows[q * ns + scen].status == HP_RESULT_OPTIMAL)
        q++;
      if (q > p) {
        cairo_new_path(cr);
        for (size_t k = p; k < q; k++)
          cairo_line_to(
              cr, px(&a, t->values[k]),
              py(&a,
                 base[k] + t->vendor_capex[(k * ns + scen) * nv + v] / 1e8));
        for (size_t k = q; k-- > p;)
          cairo_line_to(cr, px(&a, t->values[k]), py(&a, base[k]));
        cairo_close_path(cr);
        cairo_set_source_rgba(cr, rgb[0], rgb[1], rgb[2], 0.85);
        cairo_fill(cr);
        if (q - p == 1) { /* a lone point: a short bar */
          double x = px(&a, t->values[p]);
          cairo_rectangle(
              cr, x - 2,
              py(&a, base[p] + t->vendor_capex[(p * ns + scen) * nv + v] / 1e8),
              4,
              t->vendor_capex[(p * ns + scen) * nv + v] / 1e8 / (a.y1 - a.y0) *
                  (PB - PT));
          cairo_fill(cr);
        }
      }
      for (size_t k = p; k < q; k++)
        base[k] += t->vendor_capex[(k * ns + scen) * nv + v] / 1e8;
      p = q;
    }
    char lab[160];
    snprintf(lab, sizeof lab, "%s%s", t->vendors[v],
             t->vendor_domestic[v] ? "" : " (import)");
    legend_entry(cr, legend++, rgb, 0, lab);
  }
  /* The total on top. */
  cairo_set_source_rgb(cr, BLACK[0], BLACK[1], BLACK[2]);
  cairo_set_line_width(cr, 2);
  int pen = 0;
  for (size_t p = 0; p < np; p++) {
    const hp_wi_row *r = &t->rows[p * ns + scen];
    if (r->status != HP_RESULT_OPTIMAL) {
      pen = 0;
      continue;
    }
    if (pen)
      cairo_line_to(cr, px(&a, t->values[p]), py(&a, r->capex_cny / 1e8));
    else
      cairo_move_to(cr, px(&a, t->values[p]), py(&a, r->capex_cny / 1e8));
    pen = 1;
  }
  cairo_stroke(cr);
  hp_free(base);
  legend_entry(cr, legend++, BLACK, 1, "total capex");
  if (shaded)
    legend_entry(cr, legend++, INFEAS, 0, "infeasible");
  snprintf(title, sizeof title, "Capex against %.200s", t->keys[0]);
  snprintf(sub, sizeof sub,
           "plan %.100s, scenario %.100s: %zu points, %zu infeasible; areas: "
           "capex by vendor",
           t->plan, t->scenarios[scen], np, t->n_infeasible);
  snprintf(xl, sizeof xl, "%.200s (%s)", t->keys[0], unit_of_key(t->keys[0]));
  draw_frame(cr, &a, title, sub, xl, "capex (100M CNY)", 1);
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
  hp_wi_stats st;
  if (hp_wi_column_stats(t, scen, "capex_cny", &st) != HP_OK)
    return hp_diag_oom(d);
  size_t n = st.n;
  int nb = (int)ceil(sqrt((double)n));
  if (nb < 10)
    nb = 10;
  if (nb > 60)
    nb = 60;
  double lo = st.min / 1e8, hi = st.max / 1e8;
  if (!(hi > lo)) {
    double m = fabs(lo) > 0 ? fabs(lo) * 0.01 : 1;
    lo -= m;
    hi += m;
  }
  double bw = (hi - lo) / nb;
  size_t *cnt = hp_calloc((size_t)nb, sizeof *cnt);
  if (!cnt)
    return hp_diag_oom(d);
  size_t top = 0;
  for (size_t p = 0; p < t->n_points; p++) {
    const hp_wi_row *r = &t->rows[p * t->n_scenarios + scen];
    if (r->status != HP_RESULT_OPTIMAL)
      continue;
    int b = (int)((r->capex_cny / 1e8 - lo) / bw);
    if (b >= nb)
      b = nb - 1;
    if (b < 0)
      b = 0;
    if (++cnt[b] > top)
      top = cnt[b];
  }
  axes a = {lo, hi, 0, top ? (double)top * 1.08 : 1};
  a.x0 -= bw * 0.5;
  a.x1 += bw * 0.5;
  nice_range(&a.y0, &a.y1, 6);
  canvas c;
  if (canvas_open(&c, f) != HP_OK) {
    hp_free(cnt);
    return hp_diag_oom(d);
  }
  cairo_t *cr = c.cr;
  draw_grid(cr, &a);
  const double bar[3] = {0.31, 0.47, 0.65};
  cairo_set_source_rgb(cr, bar[0], bar[1], bar[2]);
  for (int b = 0; b < nb; b++) {
    if (!cnt[b])
      continue;
    double x0 = px(&a, lo + b * bw), x1 = px(&a, lo + (b + 1) * bw);
    cairo_rectangle(cr, x0 + 0.5, py(&a, (double)cnt[b]), x1 - x0 - 1,
                    PB - py(&a, (double)cnt[b]));
    cairo_fill(cr);
  }
  hp_free(cnt);
  int li = 0;
  char lab[120];
  size_t ok = 0, inf = 0, err = 0;
  for (size_t p = 0; p < t->n_points; p++) {
    hp_result_status s = t->rows[p * t->n_scenarios + scen].status;
    ok += s == HP_RESULT_OPTIMAL;
    inf += s == HP_RESULT_INFEASIBLE;
    err += s == HP_RESULT_ERROR;
  }
  snprintf(lab, sizeof lab, "samples (%zu optimal)", ok);
  legend_entry(cr, li++, bar, 0, lab);
  const double qc[3][3] = {
      {0.85, 0.37, 0.0}, {0.1, 0.1, 0.1}, {0.85, 0.37, 0.0}};
  const double qv[3] = {st.p10, st.p50, st.p90};
  const char *qn[3] = {"P10", "P50", "P90"};
  for (int q = 0; q < 3 && n; q++) {
    double x = px(&a, qv[q] / 1e8);
    cairo_set_source_rgb(cr, qc[q][0], qc[q][1], qc[q][2]);
    cairo_set_line_width(cr, 2);
    double dash[] = {6, 4};
    if (q != 1)
      cairo_set_dash(cr, dash, 2, 0);
    cairo_move_to(cr, x, PT);
    cairo_line_to(cr, x, PB);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    snprintf(lab, sizeof lab, "%s %.2f (100M CNY)", qn[q], qv[q] / 1e8);
    text_at(cr, x + 4, PT + 12 + q * 16, qn[q], 12, 0, 0);
    legend_entry(cr, li++, qc[q], q == 1 ? 1 : 2, lab);
  }
  if (inf || err) {
    snprintf(lab, sizeof lab, "%zu infeasible, %zu invalid", inf, err);
    legend_entry(cr, li++, INFEAS, 0, lab);
  }
  char title[300], sub[300];
  snprintf(title, sizeof title, "Monte Carlo capex: %.100s / %.100s", t->plan,
           t->scenarios[scen]);
  snprintf(sub, sizeof sub,
           "%zu samples, seed %llu; mean %.2f, P10-P90 %.2f to %.2f (100M "
           "CNY); %zu keys uncertain",
           t->n_points, (unsigned long long)t->seed, st.mean / 1e8,
           st.p10 / 1e8, st.p90 / 1e8, t->n_keys);
  draw_frame(cr, &a, title, sub, "capex (100M CNY)", "samples (count)", 1);
  return canvas_close(&c, out, len, d);
}

/* ----------------------------------------------------------------------------
 * Batch: stacked vendor capex per scenario
 * ------------------------------------------------------------------------- */

int hp_chart_batch(const hp_wi_batch_entry *e, size_t n, hp_chart_format f,
                   char **out, size_t *len, hp_diag *d) {
  if (cairo_ready(d) != HP_OK)
    return d->status;
  /* Bars: one per scenario (and one per plan that failed to load). */
  size_t nb = 0;
  double top = 0;
  for (size_t i = 0; i < n; i++) {
    if (!e[i].plan) {
      nb++;
      continue;
    }
    for (size_t j = 0; j < hp_plan_count(e[i].plan); j++, nb++) {
      const hp_scenario_result *r = hp_plan_at(e[i].plan, j);
      if (r->status == HP_RESULT_OPTIMAL)
        top = fmax(top, r->capex_cny / 1e8);
    }
  }
  if (nb == 0)
    return hp_diag_set(d, HP_EINVAL, NULL, 0, 0, "chart: nothing to draw");
  /* Vendors in order of first appearance, for colours and the legend. */
  const char *vend[64];
  size_t nvend = 0;
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; e[i].plan && j < hp_plan_count(e[i].plan); j++) {
      const hp_scenario_result *r = hp_plan_at(e[i].plan, j);
      for (size_t v = 0; v < r->n_vendors; v++) {
        size_t k = 0;
        while (k < nvend && strcmp(vend[k], r->vendors[v].vendor) != 0)
          k++;
        if (k == nvend && nvend < 64)
          vend[nvend++] = r->vendors[v].vendor;
      }
    }
  axes a = {0, (double)nb, 0, top > 0 ? top * 1.05 : 1};
  nice_range(&a.y0, &a.y1, 6);
  canvas c;
  if (canvas_open(&c, f) != HP_OK)
    return hp_diag_oom(d);
  cairo_t *cr = c.cr;
  draw_grid(cr, &a);
  size_t k = 0;
  double slot = (PR - PL) / (double)nb;
  double fs = slot < 30 ? 9 : 11;
  for (size_t i = 0; i < n; i++) {
    size_t m = e[i].plan ? hp_plan_count(e[i].plan) : 1;
    for (size_t j = 0; j < m; j++, k++) {
      const hp_scenario_result *r = e[i].plan ? hp_plan_at(e[i].plan, j) : NULL;
      double x0 = PL + slot * (double)k + slot * 0.15, bwid = slot * 0.7;
      char lab[200];
      const char *base = strrchr(e[i].path, '/');
      base = base ? base + 1 : e[i].path;
      snprintf(lab, sizeof lab, "%.60s%s%.60s", r ? r->name : base,
               r ? "" : " (bad input)", "");
      if (r && r->status == HP_RESULT_OPTIMAL) {
        double y = 0;
        for (size_t v = 0; v < r->n_vendors; v++) {
          size_t vi = 0;
          while (vi < nvend && strcmp(vend[vi], r->vendors[v].vendor) != 0)
            vi++;
          double rgb[3];
          vendor_rgb(r->vendors[v].vendor, vi, rgb);
          double h = r->vendors[v].capex_cny / 1e8;
          cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
          cairo_rectangle(cr, x0, py(&a, y + h), bwid,
                          py(&a, y) - py(&a, y + h));
          cairo_fill(cr);
          y += h;
        }
        char num[32];
        snprintf(num, sizeof num, "%.0f", r->capex_cny / 1e8);
        cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
        text_at(cr, x0 + bwid / 2, py(&a, y) - 6, num, fs, 0.5, 0);
      } else {
        cairo_set_source_rgb(cr, 0.75, 0.2, 0.2);
        cairo_save(cr);
        cairo_translate(cr, x0 + bwid / 2 + 4, PB - 8);
        cairo_rotate(cr, -HP_PI / 2);
        text_at(cr, 0, 0,
                !r                                  ? "input error"
                : r->status == HP_RESULT_INFEASIBLE ? "infeasible"
                                                    : "error",
                12, 0, 0);
        cairo_restore(cr);
      }
      /* Scenario label under the bar, slanted. */
      cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
      cairo_save(cr);
      cairo_translate(cr, x0 + bwid / 2, PB + 12);
      cairo_rotate(cr, -HP_PI / 7);
      text_at(cr, 0, 0, lab, fs, 1, 0.5);
      cairo_restore(cr);
    }
  }
  /* Plan groups: a separator between plans and each plan's name on top. */
  k = 0;
  for (size_t i = 0; i < n; i++) {
    size_t m = e[i].plan ? hp_plan_count(e[i].plan) : 1;
    double gx0 = PL + slot * (double)k, gx1 = PL + slot * (double)(k + m);
    if (k > 0) {
      double dash[] = {3, 3};
      cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
      cairo_set_line_width(cr, 1);
      cairo_set_dash(cr, dash, 2, 0);
      cairo_move_to(cr, floor(gx0) + 0.5, PT);
      cairo_line_to(cr, floor(gx0) + 0.5, PB);
      cairo_stroke(cr);
      cairo_set_dash(cr, NULL, 0, 0);
    }
    const char *name = e[i].plan ? hp_plan_name(e[i].plan) : e[i].path;
    int fit = (int)((gx1 - gx0) / 6.5);
    char lab[128];
    if (fit < 4)
      fit = 4;
    snprintf(lab, sizeof lab, "%.*s%s", fit > 100 ? 100 : fit, name,
             (int)strlen(name) > fit ? "." : "");
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    text_at(cr, (gx0 + gx1) / 2, PT - 4, lab, 11, 0.5, 0);
    k += m;
  }
  for (size_t v = 0; v < nvend; v++) {
    double rgb[3];
    vendor_rgb(vend[v], v, rgb);
    legend_entry(cr, (int)v, rgb, 0, vend[v]);
  }
  char sub[200];
  snprintf(sub, sizeof sub,
           "%zu plan%s, %zu scenarios; bars: capex by vendor, label = total "
           "(100M CNY)",
           n, n == 1 ? "" : "s", nb);
  draw_frame(cr, &a, "Capex per scenario", sub, "", "capex (100M CNY)", 0);
  return canvas_close(&c, out, len, d);
}

#endif /* HETPLAN_HAVE_CAIRO */
