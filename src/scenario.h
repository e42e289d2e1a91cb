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
};

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
int hp_scenario_bind_orders(const hp_ynode *c, const char *file, hp_scenario *s,
                            hp_diag *d);
/* `services:` and `throughput:` of the merged scenario m, after the
 * candidates are bound; also checks objective rent's prices. */
int hp_scenario_bind_services(const hp_ynode *m, const char *file,
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

/** A deep copy of src into *dst (caller releases with hp_scenario_cleanup);
 * catalog strings stay borrowed. HP_OK or HP_ENOMEM (*dst untouched). */
int hp_scenario_copy(hp_scenario *dst, const hp_scenario *src);
/** 1 if hp_scenario_set knows key: workload.tokens_per_day, the
 * constraints' domestic_share.min/max, headroom, power_mw, budget_cny,
 * max_vendor_share and caps.ID / caps.vendor.NAME, years,
 * power_price_cny_per_kwh, utilisation, token_price_cny_per_mtok and
 * solver.mip_gap. */
int hp_scenario_settable(const char *key);
/** Sets the figure at key to v in s, as binding the plan with key = v
 * would (derived figures included: requests/s from tokens/day). HP_OK, or
 * HP_ENOTSUP for a key it does not know, one the scenario does not write,
 * or a value the binder may refuse: the caller then binds the plan with
 * the value (hp_planfile_set_number), which judges and words it. s is
 * unchanged unless HP_OK. No file is read. */
int hp_scenario_set(hp_scenario *s, const char *key, double v, hp_diag *d);
/** 1 if every scenario of p writes key as a scalar and hp_scenario_set
 * knows it: then setting it on copies of p's bound scenarios is what
 * binding p with it would give. */
int hp_planfile_settable(const hp_planfile *p, const char *key);

#endif
