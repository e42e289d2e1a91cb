/* chart.h - charts of what-if results, drawn with cairo as PNG or SVG.
 *
 * Each function renders a whole chart into memory (caller frees *out with
 * hp_free), so the CLI can write it atomically with hp_write_file_atomic.
 * Charts only lay out numbers the engine computed (and bin histograms).
 * HP_ENOTSUP when the library was built without cairo.
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

/** Sweep: capex against the (single) varied key, with the capex of each
 * vendor stacked as areas under it, for scenario `scen`; infeasible points
 * are shaded. HP_EINVAL when the sweep varies more than one key. */
int hp_chart_sweep(const hp_wi_table *t, size_t scen, hp_chart_format f,
                   char **out, size_t *len, hp_diag *d);

/** Monte Carlo: histogram of capex over the optimal samples of scenario
 * `scen`, with the P10, P50 and P90 lines. */
int hp_chart_montecarlo(const hp_wi_table *t, size_t scen, hp_chart_format f,
                        char **out, size_t *len, hp_diag *d);

/** Batch: one bar per scenario, stacked by vendor capex; scenarios that
 * were not solved are labelled. */
int hp_chart_batch(const hp_wi_batch_entry *e, size_t n, hp_chart_format f,
                   char **out, size_t *len, hp_diag *d);

/** Frees cairo's and fontconfig's process-wide caches (font faces, the
 * parsed fontconfig configuration), which they otherwise keep until exit
 * and which leak checkers report. Call once, after the last chart, when
 * no cairo object is alive; a no-op without cairo. */
void hp_chart_shutdown(void);

#endif
