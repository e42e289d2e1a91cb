/* scenario.h - the plan loader: a plan file's scenarios, merged and
 * validated. A scenario is the plan's `defaults:` deep-merged with one entry
 * of `scenarios:`, then bound to an hp_scenario (model.h) against the
 * catalog. The planner reads the hp_scenario, never the YAML.
 */
#ifndef HP_SCENARIO_H
#define HP_SCENARIO_H

#include <stddef.h>

#include "hetplan.h"
#include "model.h"
#include "yamlx.h"

/* solver.node_limit's default: over 100 times what the hardest shipped
 * plan needs (861 nodes, doubao-roofline), low enough that a plan GLPK
 * cannot prove (64 request classes over all 28 cards) still answers in
 * half a minute and about 100 MB, not in hours and gigabytes. */
#define HP_DEFAULT_NODE_LIMIT 100000
/* The largest solver.node_limit a plan may ask for. */
#define HP_MAX_NODE_LIMIT 1e9

void hp_scenario_cleanup(hp_scenario *s);

/* Internal view of a plan file. */
struct hp_planfile {
  char *path;        /* file name for messages */
  char *name;        /* plan name */
  hp_ynode *root;    /* the document */
  size_t n;          /* scenarios */
  hp_ynode **merged; /* per scenario: defaults + scenario entry */
  hp_scenario *scen; /* per scenario: bound */
  const hp_catalog *cat;
  struct hp_periods **periods; /* per scenario: its periods, or NULL */
  struct hp_file_cache *files; /* model files and profiles read (shared
                                  with copies, hp_planfile_dup) */
};

/* The files a binder reads beside the plan, each read once per plan and
 * its copies (file_cache.c): safe to share between threads. */
typedef struct hp_file_cache hp_file_cache;
typedef enum {
  HP_FC_YAML,   /* a YAML file (models/NAME.yaml): hp_yaml_load_file */
  HP_FC_HF,     /* a Hugging Face config.json: hp_model_hf_load */
  HP_FC_PROFILE /* a probe profile: hp_profile_load */
} hp_fc_kind;
/* A cache with one reference; HP_OK or HP_ENOMEM. */
int hp_file_cache_new(hp_file_cache **out);
/* Another reference to c; returns c. */
hp_file_cache *hp_file_cache_ref(hp_file_cache *c);
/* Drops a reference; the last frees every file read. NULL-safe. */
void hp_file_cache_unref(hp_file_cache *c);
/* The tree of the file at path read as kind (HP_FC_YAML or HP_FC_HF),
 * read at the first ask; a failed read is not kept (its error is the
 * reader's). *out is borrowed: valid while c is referenced. */
int hp_file_cache_tree(hp_file_cache *c, hp_fc_kind kind, const char *path,
                       const hp_ynode **out, hp_diag *d);
/* The same for a probe profile (HP_FC_PROFILE). */
struct hp_profile;
int hp_file_cache_profile(hp_file_cache *c, const char *path,
                          const struct hp_profile **out, hp_diag *d);
/* A copy of plan p, bound again from its merged trees (no YAML text is
 * parsed, and the files p read are not read again: the copy shares p's
 * cache). *out set only on success; free with hp_planfile_free. */
int hp_planfile_dup(const hp_planfile *p, hp_planfile **out, hp_diag *d);

/* Limits (docs/limits.md). */
#define HP_MAX_SCENARIOS 10000
#define HP_MAX_CLASSES 64 /* request classes per scenario */

const hp_scenario *hp_planfile_scenario(const hp_planfile *p, size_t i);
/* The plan's top-level `uncertain:` block (Monte Carlo), or NULL; validated
 * by its user. Valid until hp_planfile_free. */
const hp_ynode *hp_planfile_uncertain(const hp_planfile *p);
/* The file name the plan was loaded from. */
const char *hp_planfile_path(const hp_planfile *p);

/* Fills r->warnings with one sentence per SKU of r->lines that s's
 * catalog marks restricted or unavailable in China (or unknown, under
 * `devices: available`). HP_OK or HP_ENOMEM (r then has no warnings). */
int hp_scenario_market_warnings(const hp_scenario *s, hp_scenario_result *r);

/* Services (src/scenario_services.c, issue 21). */
/* Binds a workload-shaped mapping w (model, volume, requests, slo) into s's
 * model, classes and volume (scenario.c; a service reuses it). */
int hp_scenario_bind_volume(const hp_ynode *w, const char *file,
                            const hp_catalog *cat, hp_scenario *s, hp_diag *d);
/* constraints.min_servers_per_sku and constraints.max_skus of c. */
int hp_scenario_services_bind_orders(const hp_ynode *c, const char *file,
                                     hp_scenario *s, hp_diag *d);
/* `services:` and `throughput:` of the merged scenario m, after the
 * candidates are bound; also checks objective rent's prices. */
int hp_scenario_services_bind(const hp_ynode *m, const char *file,
                              const hp_catalog *cat, hp_scenario *s,
                              hp_diag *d);
/* Frees s's services and throughput rows (not s itself). */
void hp_scenario_services_cleanup(hp_scenario *s);

/* Binds a merged scenario tree (exposed for tests). */
int hp_scenario_bind(const hp_ynode *m, const char *file, const hp_catalog *cat,
                     hp_scenario *out, hp_diag *d);

/* ----------------------------------------------------------------------------
 * Copies and figures set by key, without binding again (scenario_set.c)
 * ------------------------------------------------------------------------- */

/* Monte Carlo distributions: the plan's `uncertain:` block, checked by
 * the loader (hp_scenario_set_uncertain_parse) and drawn by whatif.c. */
typedef enum {
  HP_DIST_UNIFORM = 0, /* min, max */
  HP_DIST_NORMAL,      /* mean, sd */
  HP_DIST_TRIANGULAR,  /* min, mode, max */
  HP_DIST_LOGNORMAL    /* median, sigma (of the log) */
} hp_dist_kind;

typedef struct hp_wi_dist {
  char *key;         /* dotted plan path (owned) */
  hp_dist_kind kind; /* which distribution */
  double p[3];       /* parameters in the order listed above */
  double lo, hi;     /* truncation bounds (normal, lognormal); +-HUGE_VAL */
  int line, col;     /* where the key is written, 1-based */
} hp_wi_dist;

#define HP_MAX_UNCERTAIN 8 /* keys of an uncertain: block (HP_WI_MAX_KEYS) */

/** Checks an `uncertain:` block u (NULL: none, HP_OK) of file and, when
 * out is not NULL, returns its distributions in the order written (caller
 * frees with hp_scenario_set_dists_free). Every error names file:line:col: not
 * a non-empty mapping, more than HP_MAX_UNCERTAIN keys, an unknown
 * distribution, a missing or extra parameter, bad ranges (sd <= 0, min >=
 * max, mode outside [min, max], median <= 0, truncation keeping under 1%).
 * Whether each key is one the plan takes is the Monte Carlo run's check
 * (hp_wi_dists_parse). The plan loader calls it. */
int hp_scenario_set_uncertain_parse(const hp_ynode *u, const char *file,
                                    hp_wi_dist **out, size_t *n_out,
                                    hp_diag *d);
void hp_scenario_set_dists_free(hp_wi_dist *v, size_t n);
/** The distribution's name ("lognormal"). */
const char *hp_scenario_set_dist_name(hp_dist_kind k);

/** A deep copy of src into *dst (caller releases with hp_scenario_cleanup);
 * catalog strings stay borrowed. HP_OK or HP_ENOMEM (*dst untouched). */
int hp_scenario_set_copy(hp_scenario *dst, const hp_scenario *src);
/** 1 if hp_scenario_set knows key: workload.tokens_per_day, the
 * constraints' domestic_share.min/max, headroom, power_mw, budget_cny,
 * max_vendor_share and caps.ID / caps.vendor.NAME, years,
 * power_price_cny_per_kwh, utilisation, token_price_cny_per_mtok,
 * solver.mip_gap, mfu, mbu, overrides.ID.KEY (mfu, mbu, price_hour_cny
 * and the card figures but cards_per_server) and the roofline's
 * memory_fraction, pcie_gbps, allreduce_latency_us, overlap, kv_mbu,
 * reread_hit and scaleout_gbps. */
int hp_scenario_set_takes(const char *key);
/** Sets the figure at key to v in s, as binding the plan with key = v
 * would (derived figures included: requests/s from tokens/day). HP_OK, or
 * HP_ENOTSUP for a key it does not know, one the scenario does not write
 * (an override of a card it lists may be unwritten), or a value the binder
 * may refuse: the caller then binds the plan with the value
 * (hp_planfile_set_number), which judges and words it; or HP_ENOMEM. s is
 * unchanged unless HP_OK. No file is read. */
int hp_scenario_set(hp_scenario *s, const char *key, double v, hp_diag *d);
/** 1 if every scenario of p writes key as a scalar (or, for an
 * overrides.ID.KEY, does not write it at all) and hp_scenario_set knows
 * it: then setting it on copies of p's bound scenarios is what binding p
 * with it would give. */
int hp_scenario_set_planfile_takes(const hp_planfile *p, const char *key);

/* Deep-merges overlay into base, as a scenario entry merges into
 * `defaults:` (maps key by key, anything else replaced). HP_OK or
 * HP_ENOMEM. */
int hp_scenario_merge(hp_ynode *base, const hp_ynode *overlay);

/* ----------------------------------------------------------------------------
 * Periods (issue 22, scenario_periods.c): buying over time. A scenario with
 * `periods:` is bound once per period: the scenario with that period's keys
 * merged in, its devices widened to every SKU any period may buy or the
 * fleet holds, so that one SKU is one candidate index in every period.
 * ------------------------------------------------------------------------- */

#define HP_MAX_PERIODS 64

/* One cohort of owned servers (`fleet:`). */
typedef struct hp_fleet_cohort {
  size_t sku;       /* index into hp_periods.skus */
  double servers;   /* servers owned at the plan's start */
  double age_years; /* their age at the plan's start, years */
  int line, col;
} hp_fleet_cohort;

/* One period. */
typedef struct hp_period {
  char *name;         /* unique in the scenario */
  int line, col;      /* where the period entry starts */
  double years;       /* length, years (> 0) */
  double start_years; /* from the plan's start to this period's start */
  hp_scenario s;      /* the scenario in this period; s.cands[j] is SKU
                         hp_periods.skus[j] (same order) */
  int *buyable;       /* per SKU: 1 when this period's devices list it */
} hp_period;

typedef struct hp_periods {
  hp_period *p;           /* periods, in time order */
  size_t n;               /* periods */
  const char **skus;      /* SKU ids (catalog's strings), catalog order */
  size_t n_skus;          /* SKUs */
  hp_fleet_cohort *fleet; /* owned cohorts */
  size_t n_fleet;
  double *lifetime_years; /* per SKU: a server retires at this age */
  double discount_rate;   /* per year, for objective npv */
  int npv;                /* 1: objective npv (default), 0: capex */
  int engine;             /* solver.engine (an hp_ip_engine), auto when the
                             plan does not say (docs/formulation.md
                             "Periods") */
} hp_periods;

/* 1 when merged scenario tree m has `periods:`. */
int hp_scenario_periods_present(const hp_ynode *m);
/* Binds a merged scenario tree with periods: *base gets the scenario as
 * written without its period keys (what sweeps and batch see), *out the
 * periods (caller frees with hp_scenario_periods_free). Both set only on
 * success; errors name file:line:col. */
int hp_scenario_periods_bind(const hp_ynode *m, const char *file,
                             const hp_catalog *cat, hp_scenario *base,
                             hp_periods **out, hp_diag *d);
void hp_scenario_periods_free(hp_periods *p);
/* Scenario i's periods, or NULL. Valid until hp_planfile_free. */
const hp_periods *hp_planfile_periods(const hp_planfile *p, size_t i);

#endif
