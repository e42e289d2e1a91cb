/* chart.h - charts of what-if results, drawn with cairo as PNG or SVG.
 *
 * Each function renders a whole chart into memory (caller frees *out with
 * hp_free), so the CLI can write it atomically with hp_write_file_atomic.
 * Charts only lay out numbers the engine computed (and bin histograms).
 * HP_ENOTSUP when the library was built without cairo.
 * Layout: the three charts, then the pure helpers they are built from (tick
 * formats, eliding, vendor colours, titles), exposed for tests/test_chart.c.
 */
#ifndef HP_CHART_H
#define HP_CHART_H

#include <stddef.h>

#include "hetplan.h"
#include "whatif.h"

typedef enum { HP_CHART_PNG = 0, HP_CHART_SVG } hp_chart_format;

/** Picks the format from a file name's extension (.png or .svg, any case);
 * HP_EINVAL naming the file otherwise. */
int hp_chart_format_of(const char *path, hp_chart_format *out, hp_diag *d);

/** Sweep of scenario `scen` against the (single) varied key: capex, with
 * the capex of each vendor stacked as areas under it; when capex is the
 * same at every optimal point and TCO is not, TCO instead (the vendors'
 * capex plus the electricity over the horizon; hp_chart_sweep_metric).
 * Infeasible points are shaded, points whose value the plan rejected
 * (status error) hatched grey; a lone optimal point is a bar with a marker.
 * The subtitle names the scenario and, when the table has several, which
 * one of them it is. HP_EINVAL when the sweep varies more than one key. */
int hp_chart_sweep(const hp_wi_table *t, size_t scen, hp_chart_format f,
                   char **out, size_t *len, hp_diag *d);

/** Monte Carlo: histogram of capex over the optimal samples of scenario
 * `scen`, with the P10, P50 and P90 lines; a chart that says so when no
 * sample is optimal. */
int hp_chart_montecarlo(const hp_wi_table *t, size_t scen, hp_chart_format f,
                        char **out, size_t *len, hp_diag *d);

/** Batch: one bar per scenario, stacked by vendor capex; scenarios that
 * were not solved are labelled. */
int hp_chart_batch(const hp_wi_batch_entry *e, size_t n, hp_chart_format f,
                   char **out, size_t *len, hp_diag *d);

/** Periods (issue 22, periods.h): per period a bar of the capacity of the
 * servers in service stacked by vendor, hatched where bought in that
 * period and labelled with the servers bought, and the period's demand as
 * a line. HP_EINVAL when the result has no plan. */
struct hp_periods_result;
int hp_chart_periods(const struct hp_periods_result *r, hp_chart_format f,
                     char **out, size_t *len, hp_diag *d);

/** Frees cairo's and fontconfig's process-wide caches (font faces, the
 * parsed fontconfig configuration), which they otherwise keep until exit
 * and which leak checkers report. Call once, after the last chart, when
 * no cairo object is alive; a no-op without cairo. */
void hp_chart_shutdown(void);

/* ----------------------------------------------------------------------------
 * Helpers (internal to the charts; pure, so built without cairo too)
 * ------------------------------------------------------------------------- */

/* One axis: its range, tick step and the one label format of its ticks. */
typedef struct hp_chart_axis {
  double lo, hi; /* range shown, in data units */
  double step;   /* tick step (1, 2 or 5 x 10^k) */
  double first;  /* first tick, the smallest multiple of step >= lo */
  int sci;       /* 0, or the power of ten (9, 12, 15, 18) the labels are
                    scaled by and name in words: "250 trillion", never an
                    exponent */
  int decimals;  /* digits after the point (of the scaled value when sci) */
} hp_chart_axis;

#define HP_AXIS_WIDEN 1 /* widen [lo, hi] to whole steps (value axes) */
#define HP_AXIS_WHOLE 2 /* counts: whole-number steps, at least 1 */

/** Fits an axis over [lo, hi] with about `want` ticks (want >= 1): the step
 * is computed once here and every tick, grid line and label uses it, so
 * the ends of a widened range are ticks. An empty range (hi <= lo) is
 * padded first. Labels are fixed-point with thousands grouped; from 1e9
 * they are scaled by a power of a thousand named in words ("4.0
 * trillion"). No label has an exponent. */
void hp_chart_axis_fit(double lo, double hi, int want, int flags,
                       hp_chart_axis *a);

/** The i-th tick of the axis (first + i x step, computed afresh, snapped to
 * 0 near zero); beyond hi when i >= hp_chart_axis_ticks(a). */
double hp_chart_axis_tick(const hp_chart_axis *a, int i);
int hp_chart_axis_ticks(const hp_chart_axis *a);

/** Formats v as the axis's ticks are formatted: "1,250,000", "0.25",
 * "0", "250 trillion", "-0.000003". Writes at most n bytes, NUL included. */
void hp_chart_axis_label(const hp_chart_axis *a, double v, char *buf, size_t n);

/** "%.*f" with the integer part grouped by thousands: 1234567.891 with 2
 * decimals gives "1,234,567.89". */
void hp_chart_format_grouped(double v, int decimals, char *buf, size_t n);

/* Width of a text in pixels, as the chart's current font draws it. */
typedef double (*hp_chart_width_fn)(const char *s, void *ud);

typedef enum {
  HP_ELIDE_END = 0, /* keep the start: "doubao-mandate-sw…" */
  HP_ELIDE_MIDDLE   /* keep both ends: "scenario-00-de…ive-name" */
} hp_chart_elide_mode;

/** Shortens s with an ellipsis (U+2026) until width(s) <= max_w, never
 * splitting a UTF-8 sequence. When s ends with `keep` (may be NULL), that
 * suffix is kept whole after the ellipsis (" (import)"). Writes the result
 * into out (n bytes). Returns 0 when s fits as it is, 1 when elided, -1
 * when not even the ellipsis fits (out is then ""). */
int hp_chart_elide(const char *s, const char *keep, double max_w,
                   hp_chart_elide_mode mode, hp_chart_width_fn width, void *ud,
                   char *out, size_t n);

/** Colours (0xRRGGBB) for n vendors drawn in one chart. The catalog's
 * vendors have fixed colours (NVIDIA green, Huawei red, ...), the same in
 * every chart; any other vendor gets a slot of a second palette by a hash
 * of its name, or the next free slot when a vendor of the same chart
 * holds it (taken in name order, so the colours depend only on the set of
 * names). All colours of both palettes are at least 15 CIEDE2000 apart;
 * beyond the second palette's size, unknown vendors share its colours. */
void hp_chart_vendor_colours(const char *const *vendors, size_t n,
                             unsigned *rgb);

/* What a sweep chart plots. */
typedef enum {
  HP_CHART_CAPEX = 0, /* capex moves with the key (or nothing does) */
  HP_CHART_TCO        /* capex is the same at every optimal point, TCO not */
} hp_chart_metric;

/** The metric hp_chart_sweep plots for scenario `scen`; *flat (may be
 * NULL) is set to 1 when neither capex nor TCO changes over the optimal
 * points (e.g. a token price, which moves only cost against price). */
hp_chart_metric hp_chart_sweep_metric(const hp_wi_table *t, size_t scen,
                                      int *flat);

/* The texts around a chart. */
typedef struct hp_chart_texts {
  char title[400];
  char subtitle[1100];
  char xlabel[400];
  char ylabel[100];
} hp_chart_texts;

/** The title, subtitle and axis labels of a sweep or Monte Carlo chart of
 * scenario `scen`, with counts for that scenario only. When the table holds
 * several scenarios the subtitle says which one is drawn: "scenario
 * end-2024 (1 of 2; --scenario picks another)". With `width` (may be NULL)
 * the subtitle is fitted to max_w: optional parts are dropped first (what
 * the areas are, how many keys are uncertain), then the plan and scenario
 * names are elided in the middle, so that the counts after them stay
 * visible. The Monte Carlo texts take the capex statistics of the scenario
 * (hp_wi_column_stats); with no optimal sample the subtitle says "no
 * optimal sample (N infeasible)". */
void hp_chart_sweep_texts(const hp_wi_table *t, size_t scen,
                          hp_chart_width_fn width, void *ud, double max_w,
                          hp_chart_texts *out);
void hp_chart_montecarlo_texts(const hp_wi_table *t, size_t scen,
                               const hp_wi_stats *capex,
                               hp_chart_width_fn width, void *ud, double max_w,
                               hp_chart_texts *out);

#endif
