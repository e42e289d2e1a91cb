/* whatif.h - what-if at scale: sweep grids, Monte Carlo and batch summaries.
 *
 * The engine re-solves one plan many times with numeric keys set by their
 * dotted path: on copies of the bound scenarios (hp_scenario_set) where it
 * can, else by binding the plan again (hp_planfile_set_number). Work is
 * spread over threads; chunk boundaries and walking order are fixed by the
 * point index, so results do not depend on the thread count. Finished
 * points are taken in order, into memory or a spool file (hp_wi_opts.spool),
 * and the engine finishes every statistic (hp_wi_table.mc); renderers
 * (report_whatif.c) only format.
 * Layout: grid axes, the RNG, tables and cursors, runs, statistics,
 * renderers.
 */
#ifndef HP_WHATIF_H
#define HP_WHATIF_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "hetplan.h"
#include "scenario.h"
#include "planner.h"
#include "solver.h"

/* Limits (docs/whatif.md). Each has its own error message naming it. */
#define HP_WI_MAX_POINTS 1000000u /* grid points or samples x scenarios */
#define HP_WI_MAX_KEYS 8          /* --vary keys, uncertain: keys */
#define HP_WI_MAX_THREADS 64      /* worker threads */

/* ----------------------------------------------------------------------------
 * Grid axes: KEY=START:STOP:STEP
 * ------------------------------------------------------------------------- */

typedef struct hp_wi_axis {
  char *key;    /* dotted plan path, "constraints.domestic_share.min" (owned) */
  double start; /* first value, in the key's own unit */
  double stop;  /* last value (included within 1e-9 of a step) */
  double step;  /* increment; negative when stop < start */
  size_t n;     /* number of values, >= 1 */
} hp_wi_axis;

/** Parses "KEY=START:STOP:STEP" (or "KEY=VALUE" for one point). Fails with
 * HP_EINVAL (a message quoting spec) on bad syntax, a zero step, a step
 * whose sign does not lead from START to STOP, or more than
 * HP_WI_MAX_POINTS values (HP_ELIMIT). Sets *out (caller releases with
 * hp_wi_axis_cleanup) only on success. */
int hp_wi_axis_parse(const char *spec, hp_wi_axis *out, hp_diag *d);
void hp_wi_axis_cleanup(hp_wi_axis *a);
/** The i-th value: START + i x STEP, computed afresh (never accumulated);
 * the last value is STOP exactly when the grid reaches it. */
double hp_wi_axis_value(const hp_wi_axis *a, size_t i);

/* ----------------------------------------------------------------------------
 * Distributions (the plan's `uncertain:` block) and the random streams
 * ------------------------------------------------------------------------- */

/** The plan's `uncertain:` block into *out (n_out entries, in the order
 * written; caller frees with hp_scenario_set_dists_free). The loader has
 * checked its form (hp_scenario_set_uncertain_parse); this checks each key path
 * against the plan (setting it to the distribution's centre on a copy), naming
 * file:line:col of the key. HP_EMISSING when the plan has no uncertain:
 * block. */
int hp_wi_dists_parse(const char *plan_text, size_t len, const char *path,
                      const hp_catalog *cat, hp_wi_dist **out, size_t *n_out,
                      hp_diag *d);
/** The same for a plan already loaded (borrowed: copied, not changed). */
int hp_wi_dists_of(const hp_planfile *pf, hp_wi_dist **out, size_t *n_out,
                   hp_diag *d);
/* hp_wi_dist, hp_dist_kind, hp_scenario_set_dist_name and
 * hp_scenario_set_dists_free are the loader's (scenario.h), which checks the
 * block's form. */

/* xoshiro256** seeded by splitmix64 (Vigna): one independent stream per
 * (seed, sample index), so sample i draws the same numbers whichever thread
 * runs it. */
typedef struct hp_rng {
  uint64_t s[4]; /* state; never all zero */
} hp_rng;

void hp_wi_rng_seed(hp_rng *r, uint64_t seed, uint64_t stream);
uint64_t hp_wi_rng_next(hp_rng *r);
/** Uniform on [0, 1) with 53 random bits. */
double hp_wi_rng_uniform(hp_rng *r);
/** One draw of a distribution; truncation is by rejection (at most 1000
 * tries, then the nearest bound). */
double hp_wi_dist_draw(const hp_wi_dist *dist, hp_rng *r);

/* ----------------------------------------------------------------------------
 * Result tables
 * ------------------------------------------------------------------------- */

/* One solved row: a grid point or a sample, for one scenario. */
typedef struct hp_wi_row {
  size_t point;             /* grid point or sample index */
  size_t scenario;          /* index into hp_wi_table.scenarios */
  hp_result_status status;  /* optimal, infeasible or error */
  int error;                /* HP_E* when status is error (bad value...) */
  double capex_cny;         /* CNY */
  double opex_cny_per_year; /* electricity, CNY per year */
  double tco_cny;           /* capex + years x opex, CNY */
  double years;             /* TCO horizon, years */
  double cost_per_mtok_cny; /* TCO per million tokens served, CNY */
  double token_price_per_mtok_cny; /* plan's token price, CNY; 0 = none */
  double cost_over_price_pct;      /* 100 x cost / token price, %; 0 = none
                                      (the planner's figure) */
  double cards;                    /* cards */
  double servers;                  /* servers */
  double tokens_per_day;           /* demand, tokens per day */
  double delivered_tokens_per_s;   /* throughput bought, tokens/s */
  double power_mw;                 /* facility power, MW */
  double share_compute;            /* domestic share of tokens/s, 0..1 */
  double share_cards;              /* domestic share of cards, 0..1 */
  double share_capex;              /* domestic share of capex, 0..1 */
  int within_gap;                  /* 1: optimal only to within the scenario's
                                      solver.mip_gap, or stopped at its
                                      solver.node_limit: not proven */
  int node_limited;                /* 1: stopped at solver.node_limit */
  int repaired;    /* 1: the solver's point missed a constraint by rounding
                      and was repaired (hp_planner_check): not proven */
  double gap;      /* not proven: the gap, or a bound on it (since 0.4) */
  char *error_msg; /* status error: why, "file: setting 'KEY': ..." (owned;
                      NULL if out of memory) */
} hp_wi_row;

typedef enum { HP_WI_SWEEP = 0, HP_WI_MONTECARLO } hp_wi_kind;

typedef struct hp_wi_stats {
  size_t n;    /* values summarised */
  double p10;  /* 10th percentile (linear interpolation, R type 7) */
  double p50;  /* median */
  double p90;  /* 90th percentile */
  double mean; /* arithmetic mean */
  double min, max;
} hp_wi_stats;

/* One quantity of a Monte Carlo summary, its statistics finished by the
 * engine (whatif.c); renderers and the chart only read them. */
typedef struct hp_wi_quantity {
  char name[160];   /* "input KEY (DIST)", "capex", "cards VENDOR" */
  char unit[32];    /* the unit the table prints: "100M CNY", "%", "cards" */
  char column[160]; /* row column ("capex_cny", "cards.VENDOR"); "" for an
                       input */
  double scale;     /* the table prints value / scale */
  int decimals;     /* decimals the table prints; -1: round-trip (inputs) */
  hp_wi_stats st;   /* over all samples (inputs) or the optimal ones */
} hp_wi_quantity;

/* Most bins a Monte Carlo histogram has. */
#define HP_WI_HIST_MAX 60

/* The histogram of a scenario's capex over its optimal samples, binned by
 * the engine (whatif.c) so that the chart, the workbook and the page draw
 * the same bins: about sqrt(n) bins, 10 to 60, from the least capex to the
 * most; when every sample costs the same, one bin centred on that value,
 * 2% of it wide. */
typedef struct hp_wi_hist {
  size_t n_bins;                 /* 0: no optimal sample */
  double lo_cny;                 /* left edge of bin 0, CNY */
  double width_cny;              /* width of each bin, CNY (> 0) */
  size_t counts[HP_WI_HIST_MAX]; /* optimal samples in each bin */
} hp_wi_hist;

/* A Monte Carlo scenario's summary (engine-computed). */
typedef struct hp_wi_mc_summary {
  size_t optimal, infeasible, errors; /* samples by status */
  double token_price_per_mtok_cny;    /* the plan's token price, CNY; 0 none */
  double share_above_price;           /* share of optimal samples whose cost per
                                         million tokens exceeds the price; -1 none */
  size_t n_quantities;
  hp_wi_quantity *quantities; /* inputs, outputs, then cards per vendor
                                 bought in some sample (owned) */
  hp_wi_hist capex_hist;      /* capex over the optimal samples */
} hp_wi_mc_summary;

/* One scenario's rows by status, counted by the engine as rows complete. */
typedef struct hp_wi_counts {
  size_t optimal, infeasible, errors; /* rows */
} hp_wi_counts;

typedef struct hp_wi_table {
  hp_wi_kind kind;        /* sweep or Monte Carlo */
  char *plan;             /* plan name (owned) */
  char *path;             /* plan file (owned) */
  size_t n_points;        /* grid points or samples */
  size_t n_keys;          /* varied keys */
  char **keys;            /* their dotted paths (owned) */
  double *values;         /* n_points x n_keys values set at each point (NULL
                             when spooled) */
  size_t n_scenarios;     /* scenarios solved at each point */
  char **scenarios;       /* their names (owned) */
  size_t n_vendors;       /* every vendor of the catalog */
  char **vendors;         /* names (owned), catalog order */
  int *vendor_domestic;   /* 1 if every SKU of the vendor is domestic */
  int *vendor_used;       /* n_scenarios x n_vendors: 1 if some optimal row of
                             the scenario buys the vendor's cards */
  size_t n_rows;          /* n_points x n_scenarios, point-major */
  hp_wi_row *rows;        /* in memory, or NULL when spooled */
  double *vendor_cards;   /* n_rows x n_vendors, cards (NULL when spooled) */
  double *vendor_servers; /* n_rows x n_vendors, servers */
  double *vendor_capex;   /* n_rows x n_vendors, CNY */
  void *spool;            /* rows in order in an unlinked temporary file
                             (FILE *), read with hp_wi_cursor; or NULL */
  int has_price;          /* some optimal row has a token price */
  hp_wi_counts *counts;   /* n_scenarios: each scenario's rows by status
                             (owned) */
  size_t n_infeasible;    /* rows with status infeasible */
  size_t n_error;         /* rows with status error */
  size_t n_error_solver;  /* of those, the solver's (HP_ESOLVER,
                             HP_EUNBOUNDED), not a value the plan rejects */
  size_t n_within_gap;    /* optimal rows not proven so (solver.mip_gap or
                             solver.node_limit) */
  size_t n_node_limited;  /* of those, rows stopped at solver.node_limit */
  char *first_error;      /* message of the lowest erroring row, or NULL */
  uint64_t seed;          /* Monte Carlo seed */
  hp_wi_dist *dists;      /* Monte Carlo: the distributions (owned) */
  hp_wi_mc_summary *mc;   /* Monte Carlo: one summary per scenario (owned) */
  unsigned threads;       /* threads used */
  double wall_ms;         /* time the run took, ms */
} hp_wi_table;

void hp_wi_table_free(hp_wi_table *t);
/** Counts again, into t->counts (allocated if NULL), the rows of a table
 * held in memory by scenario and status: for tables built or changed by
 * hand (tests); a run counts as it goes. HP_OK or HP_ENOMEM. */
int hp_wi_table_tally(hp_wi_table *t);

/* One row as a cursor yields it; valid until the next call. */
typedef struct hp_wi_rowref {
  const hp_wi_row *row;
  const double *values;       /* the point's n_keys values */
  const double *vendor_cards; /* n_vendors entries each */
  const double *vendor_servers;
  const double *vendor_capex;
} hp_wi_rowref;

/* Reads a table's rows in order, from memory or from its spool. One cursor
 * at a time per spooled table (they share the file position). */
typedef struct hp_wi_cursor {
  const hp_wi_table *t;
  size_t next;   /* index of the next row */
  hp_wi_row row; /* spool: the current row */
  double *buf;   /* spool: its values and vendor figures (owned) */
  char *msg;     /* spool: its error message (owned) */
  size_t msg_cap;
} hp_wi_cursor;

/** Starts at the first row. HP_OK, HP_ENOMEM or HP_EIO (the spool). */
int hp_wi_cursor_open(const hp_wi_table *t, hp_wi_cursor *c);
/** The next row into *out: 1, or 0 after the last, or HP_EIO/HP_ENOMEM. */
int hp_wi_cursor_next(hp_wi_cursor *c, hp_wi_rowref *out);
void hp_wi_cursor_close(hp_wi_cursor *c);

/* ----------------------------------------------------------------------------
 * Runs
 * ------------------------------------------------------------------------- */

/* Progress callback: called from the calling thread about ten times a
 * second while a run is under way, and once at the end. */
typedef void (*hp_wi_progress_fn)(size_t done, size_t total, void *ud);

typedef struct hp_wi_opts {
  unsigned threads;           /* 0 = one per online CPU */
  const char *scenario;       /* only this scenario; NULL = every one */
  hp_wi_progress_fn progress; /* or NULL */
  void *progress_ud;
  int spool; /* 1: rows of a run of more than 4,096 go, in order as they
                complete, to an unlinked temporary file instead of memory
                (hp_wi_table.spool; read them with hp_wi_cursor), so that
                memory does not grow with the rows */
} hp_wi_opts;

/** Solves every point of the grid axes[0] x axes[1] x ... (the last axis
 * varies fastest) for the selected scenarios of the plan in `text` (read
 * from `path`, which names it in messages). The first grid point is set on
 * the caller's thread first: a bad key path or value fails the whole run
 * with a message naming the path (HP_EKEY, HP_ERANGE, ...). Later points
 * that a key rejects become rows with status error. HP_ELIMIT when the
 * grid has more than HP_WI_MAX_POINTS rows, HP_ENOTFOUND for an unknown
 * scenario. *out (caller frees with hp_wi_table_free) set only on success.
 * Rows are solved without infeasibility explanations (status only). */
int hp_wi_sweep(const char *text, size_t len, const char *path,
                const hp_catalog *cat, const hp_wi_axis *axes, size_t n_axes,
                const hp_wi_opts *o, hp_wi_table **out, hp_diag *d);
/** The same over a plan already loaded (pf, borrowed for the call): the
 * run binds copies of it and reads no file again (the CLI's path). */
int hp_wi_sweep_plan(const hp_planfile *pf, const hp_catalog *cat,
                     const hp_wi_axis *axes, size_t n_axes, const hp_wi_opts *o,
                     hp_wi_table **out, hp_diag *d);

/** Draws n_samples joint samples of the plan's `uncertain:` keys (sample i
 * from stream (seed, i)) and solves the selected scenarios at each. Same
 * contract as hp_wi_sweep; the table's values hold the sampled inputs. */
int hp_wi_montecarlo(const char *text, size_t len, const char *path,
                     const hp_catalog *cat, size_t n_samples, uint64_t seed,
                     const hp_wi_opts *o, hp_wi_table **out, hp_diag *d);
/** The same over a plan already loaded (pf, borrowed for the call). */
int hp_wi_montecarlo_plan(const hp_planfile *pf, const hp_catalog *cat,
                          size_t n_samples, uint64_t seed, const hp_wi_opts *o,
                          hp_wi_table **out, hp_diag *d);

/** Solves one scenario the sweeps' way: hp_planner_solve_opts (the
 * planner's one solve path) lean, without the infeasibility explanation,
 * started from *warm (NULL: cold; it keeps this optimum for the next
 * point), and copies the result into *row. vendor_* receive n_vendors
 * entries indexed like `vendors` (each may be NULL). A program that cannot
 * be built or solved is a row with status error and d set; HP_ENOMEM is
 * the only failure. */
int hp_wi_solve_row_warm(const hp_scenario *s, hp_solve_warm *warm,
                         const char *const *vendors, size_t n_vendors,
                         hp_wi_row *row, double *vendor_cards,
                         double *vendor_servers, double *vendor_capex,
                         hp_diag *d);
/* hp_wi_solve_row_warm from a cold start (tests compare it with
 * hp_planner_solve). */
int hp_wi_solve_row(const hp_scenario *s, const char *const *vendors,
                    size_t n_vendors, hp_wi_row *row, double *vendor_cards,
                    double *vendor_servers, double *vendor_capex, hp_diag *d);

/* 1 if moving `key` in the direction of `step` can only shrink the feasible
 * region without changing the objective (a higher domestic-share floor, a
 * lower cap, budget, power or vendor-share ceiling, more demand): a sweep
 * of it is walked backwards, so that each optimum is feasible at the next
 * point. */
int hp_wi_tightening(const char *key, double step);

/* ----------------------------------------------------------------------------
 * Statistics
 * ------------------------------------------------------------------------- */

/** Summarises v[0..n) (v is sorted in place). n = 0 gives all zeros. */
void hp_wi_stats_of(double *v, size_t n, hp_wi_stats *out);
/** The p-quantile (0..1) of sorted v by linear interpolation (R type 7). */
double hp_wi_quantile(const double *sorted, size_t n, double p);

/** Statistics of one column over the optimal rows of scenario `scen`.
 * `column` is "capex_cny", "opex_cny_per_year", "tco_cny",
 * "cost_per_mtok_cny", "cards", "servers", "share_compute", "share_cards",
 * "share_capex", or "cards.VENDOR". HP_ENOTFOUND for an unknown column,
 * HP_ENOMEM. */
int hp_wi_column_stats(const hp_wi_table *t, size_t scen, const char *column,
                       hp_wi_stats *out);

/* ----------------------------------------------------------------------------
 * Renderers (format only)
 * ------------------------------------------------------------------------- */

/** One row per grid point and scenario (sweep), or per-scenario percentile
 * summaries (Monte Carlo), as table/json/csv/md. */
int hp_report_whatif(const hp_wi_table *t, hp_format fmt, hp_buf *b);

/* Receives a streaming render's text, a run of whole rows at a time:
 * HP_OK, or an error (HP_EIO) that stops the render and is returned. */
typedef int (*hp_wi_write_fn)(const char *data, size_t len, void *ud);

/** hp_report_whatif written out as it goes: the text is handed to fn every
 * 64 KB or so, at a row's end, so memory does not grow with the rows (with
 * a spooled table). HP_OK, HP_ENOMEM or fn's error; what fn received is
 * then incomplete. */
int hp_report_whatif_to(const hp_wi_table *t, hp_format fmt, hp_wi_write_fn fn,
                        void *ud);

/* One plan of a batch: solved, or failed to load (its diag). */
typedef struct hp_wi_batch_entry {
  const char *path;    /* plan file as given */
  const hp_plan *plan; /* solved plan, or NULL when it failed to load */
  const hp_diag *diag; /* why it failed (when plan is NULL) */
  int status;          /* HP_E* of the failure (when plan is NULL) */
} hp_wi_batch_entry;

/** Every scenario of every plan in one summary table/json/csv/md
 * (hp_wi_batch_out into b). */
int hp_report_whatif_batch(const hp_wi_batch_entry *e, size_t n, hp_format fmt,
                           hp_buf *b);

/* A batch summary written as each plan completes. CSV and JSON rows are
 * handed to fn as they are added; the table and Markdown need every row
 * for their column widths, so their cells are kept (in memory up to 16 KB,
 * then in an unlinked temporary file) and written by finish. Memory does
 * not grow with the rows. */
typedef struct hp_wi_batch_out hp_wi_batch_out;

/** Starts a summary in fmt (table, json, csv or md) written through fn
 * (called with runs of whole rows; its error stops the summary). *out
 * (free with hp_report_whatif_batch_out_free) set only on success; HP_ENOMEM.
 */
int hp_report_whatif_batch_out_new(hp_format fmt, hp_wi_write_fn fn, void *ud,
                                   hp_wi_batch_out **out);
/** Adds one plan's rows (e and what it points to are borrowed for the
 * call only). HP_OK, HP_ENOMEM, HP_EIO (the temporary file) or fn's error;
 * after an error every call returns it. */
int hp_report_whatif_batch_out_add(hp_wi_batch_out *o,
                                   const hp_wi_batch_entry *e);
/** Writes the rest (the table, its notes; JSON's closing brackets) and
 * hands everything on. Same returns as hp_report_whatif_batch_out_add. */
int hp_report_whatif_batch_out_finish(hp_wi_batch_out *o);
/** NULL is a no-op. */
void hp_report_whatif_batch_out_free(hp_wi_batch_out *o);

/** The unit of a plan key as the tables print it ("fraction", "CNY/Mtok",
 * "cards" for caps, ...), looked up by the key's last dotted segment, or
 * "plan units" when unknown. A static string. */
const char *hp_wi_key_unit(const char *key);

#endif
