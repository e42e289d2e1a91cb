/* planner.h - from a bound scenario to an integer program and back.
 *
 * The planner computes each candidate's throughput per server (the broker
 * formula: cards x FP16 x MFU / (2 x active params)), builds a solver-neutral
 * hp_ip (solver.h), solves it, and fills an hp_scenario_result. When the
 * program is infeasible it relaxes one constraint group at a time to find
 * which ones conflict and how far each can be pushed.
 */
#ifndef HP_PLANNER_H
#define HP_PLANNER_H

#include "buf.h"
#include "hetplan.h"
#include "model.h"
#include "solver.h"

/* Per-candidate coefficients of one variable unit (a server, or a card with
 * granularity: card). */
typedef struct hp_unit {
  double tokens_per_s;  /* throughput of one unit */
  double cards;         /* cards in one unit */
  double price_cny;     /* capex of one unit */
  double power_kw;      /* facility power of one unit (TDP x cards x PUE) */
  double opex_cny_year; /* electricity of one unit per year */
  /* Columns: one per candidate under the flops model; one per (candidate,
   * request class) pair under the roofline model (docs/roofline.md). */
  size_t cand;                 /* index into s->cands */
  size_t cls;                  /* index into s->classes (0 under flops) */
  int usable;                  /* roofline: 1 if the SKU can serve the class */
  int tp, batch, memory_bound; /* roofline operating point */
  double ttft_ms, tpot_ms;     /* roofline latencies, ms */
  /* Services (issue 21): server columns (cards > 0, one per SKU and pool),
   * load-fraction columns and binary pick columns (cards == 0, price_cny
   * == 0). */
  int kind;       /* HP_COL_SERVERS, HP_COL_LOAD or HP_COL_PICK */
  size_t service; /* load: index into s->services */
  int phase;      /* load: an hp_phase; servers: the pool's (0 colocated) */
  double servers_at_one; /* load: servers of cand the whole cell takes */
  double rent_cny_hour;  /* servers: rent of one unit per hour, CNY */
  const char *source;    /* load: the measured row's source, or NULL */
} hp_unit;

#define HP_COL_SERVERS 0
#define HP_COL_LOAD 1
#define HP_COL_PICK 2

/* 1 when an objective max_tokens plan bought nothing (a budget below the
 * cheapest server, or constraints that forbid any purchase): reported as
 * infeasible, and explained by hp_planner_solve. */
int hp_planner_buys_nothing(const hp_scenario *s,
                            double delivered_tokens_per_s);

/* What hp_planner_check found in a solver's point. */
typedef struct hp_check {
  int repaired;     /* 1: x missed a row or bound and was repaired */
  int failed;       /* 1: x missed one and no simple repair was found */
  double objective; /* the objective at x after any repair */
  char why[400];    /* failed: which row, by how much */
} hp_check;

/* Checks a point the solver returned for ip, independently of the solver:
 * integer columns are rounded to whole units (as the result counts them),
 * then every bound and row is evaluated in long double and must hold to
 * HP_CHECK_REL of its terms. A point that misses is repaired when a
 * simple repair exists: a few units more or less of one column at a time
 * (the cheapest that mends the worst row), re-checked each time; else
 * out->failed is set. x is changed in place (rounded, repaired). A move
 * of continuous columns only that changes the objective by no more than
 * 1e-9 of it is rounding of an LP optimum, which stays optimal (not
 * counted as repaired). A column
 * of more than HP_CHECK_MAX_UNITS units fails: beyond 2^53 doubles no
 * longer count whole units. */
#define HP_CHECK_REL 1e-14
#define HP_CHECK_MAX_UNITS 9007199254740992.0 /* 2^53 */
void hp_planner_check(const hp_ip *ip, double *x, hp_check *out);

/* hp_planner_check for a program of hp_planner_services_build: whole
 * columns rounded, an SKU not picked (or with under 1e-9 servers) emptied
 * of servers and load, each cell's fractions below 1e-12 dropped and the rest
 * scaled to sum to 1, rows over load fractions held to 1e-9 of their terms
 * (docs/formulation.md "Services and shared capacity"). HP_OK or
 * HP_ENOMEM. */
int hp_planner_services_check(const hp_ip *ip, const hp_unit *u, double *x,
                              hp_check *out);
/* hp_planner_check, or hp_planner_services_check for a scenario with
 * services. HP_OK or HP_ENOMEM. */
int hp_planner_check_scenario(const hp_scenario *s, const hp_ip *ip,
                              const hp_unit *u, double *x, hp_check *out);

/* The gap a result reports (hetplan.h, hp_scenario_result.gap) from the
 * solver's solution and the check of its point: 0 when proven. */
double hp_planner_gap(const hp_ip_solution *sol, const hp_check *ck,
                      double mip_gap);

/* The status word of a result with a plan (HP_RESULT_OPTIMAL): "optimal"
 * when proven, else "feasible, not proven optimal (gap 0.0154%)", or
 * "(gap at most 0.001%)" when gap_is_bound, "(no bound on the gap)" when
 * gap is not finite. Other statuses: their name. Returns buf. */
const char *hp_planner_status_word(hp_result_status st, int proven, double gap,
                                   int gap_is_bound, char *buf, size_t size);

/* The status word as a CSV field: its comma becomes a semicolon
 * ("feasible; not proven optimal (gap 0.0154%)"), so that the field
 * needs no quotes and cut -d, still finds the columns. In place; returns
 * word. */
char *hp_planner_status_word_csv(char *word);

/* 1 when s is solved with per-(class, SKU) roofline columns. */
int hp_planner_is_roofline(const hp_scenario *s);
/* Number of columns of s's program (candidates x classes under roofline). */
size_t hp_planner_columns(const hp_scenario *s);

/* Throughput of one server of candidate c under the broker formula. */
double hp_planner_server_tokens_per_s(const hp_scenario *s,
                                      const hp_candidate *c);
/* Demand in tokens/s at peak: tokens/day / seconds/day x peak factor. */
double hp_planner_demand_tokens_per_s(const hp_scenario *s);

/* The shared-capacity program of a scenario with services
 * (planner_services.c; docs/formulation.md "Services and shared
 * capacity"): column count, build, solve. */
size_t hp_planner_services_columns(const hp_scenario *s);
int hp_planner_services_build(const hp_scenario *s, hp_ip *ip, hp_unit **units,
                              hp_diag *d);
/* One cell of the services program for explain: the throughput of one
 * server of cand (tokens/s of the phase; 0 = cannot serve), the cell's
 * load at peak with headroom (*load_tokens_s) and the measured row's
 * source (*source, NULL when modelled). */
double hp_planner_services_cell(const hp_scenario *s, size_t service,
                                size_t cls, hp_phase ph, size_t cand,
                                double *load_tokens_s, const char **source);
int hp_planner_services_solve(const hp_scenario *s, const hp_catalog *cat,
                              int lean, hp_scenario_result *r, hp_diag *d);

/* The solver for s's program (an hp_ip_engine): the plan's solver.engine
 * when it names one; else auto for a plan solved on its own (GLPK, then
 * CBC where GLPK has not proven the optimum in 5,000 nodes) and GLPK for
 * a sweep's or a Monte Carlo's point (lean: thousands of small programs,
 * each proven by GLPK in 1-2 ms where CBC takes 30-90 ms). */
int hp_planner_engine(const hp_scenario *s, int lean);

/* Builds the program for s; units receives hp_planner_columns(s) entries
 * (caller frees with hp_free). */
int hp_planner_build(const hp_scenario *s, hp_ip *ip, hp_unit **units,
                     hp_diag *d);

/* TCO per million tokens served, CNY: the tokens are the workload's over
 * the scenario's years, or, for a max-tokens plan without a workload, what
 * the fleet delivers at its peak divided by the peak factor. Used by the
 * planner's result and by each what-if row. */
double hp_planner_cost_per_mtok(const hp_scenario *s, double tco_cny,
                                double delivered_tokens_per_s);

/* The totals of a result from its lines (r->lines, in candidate order;
 * r->opex_cny_per_year already summed by the caller): cards, servers,
 * capex, delivered tokens/s, power and the domestic shares summed in that
 * order, then the lines sorted by capex (when sort), the vendors rolled up
 * in line order, TCO and the cost per million tokens. Shared by the
 * planner's result and the services result (planner_services.c). */
void hp_planner_roll_up(const hp_scenario *s, hp_scenario_result *r, int sort);

/* Solves one scenario into r (caller releases with
 * hp_planner_result_cleanup). Infeasible is a result, not an error. */
int hp_planner_solve(const hp_scenario *s, const hp_catalog *cat,
                     hp_scenario_result *r, hp_diag *d);
void hp_planner_result_cleanup(hp_scenario_result *r);

/* One scenario's previous optimum within a run of related solves (a
 * sweep's chunk of points): handed to the next solve as a start
 * (hp_ip.hint, used if still feasible) and, when proven, as an exclusion
 * cut. Zero-initialised; released with hp_planner_warm_cleanup. */
typedef struct hp_solve_warm {
  int valid;  /* 1 when x holds the previous solve's optimum */
  int proven; /* 1 when it was proven (no mip_gap, node limit, repair) */
  size_t n;   /* columns of x */
  double *x;  /* the optimum (owned) */
  hp_ip prev; /* its program, when valid (owned) */
} hp_solve_warm;
void hp_planner_warm_cleanup(hp_solve_warm *w);

/* How hp_planner_solve_opts solves; hp_planner_solve_opts_default gives what
 * hp_planner_solve does. */
typedef struct hp_solve_opts {
  hp_solve_warm *warm; /* in/out: start from the previous optimum and keep
                          this one (NULL: a cold start) */
  int explain;         /* 1: explain an infeasible result (relaxations);
                          0: status only, no explanation */
  int lean;            /* 1: totals, lines and vendors only: lines in
                          candidate order (vendors summed in it), no
                          per-class assignments, notes or market warnings */
  int error;           /* out: HP_ESOLVER or HP_EUNBOUNDED behind a result
                          with status error, else HP_OK */
} hp_solve_opts;
void hp_planner_solve_opts_default(hp_solve_opts *o);

/* hp_planner_solve with options (o may be NULL: the defaults); the one
 * solve path of plans and sweeps. Same contract. */
int hp_planner_solve_opts(const hp_scenario *s, const hp_catalog *cat,
                          hp_solve_opts *o, hp_scenario_result *r, hp_diag *d);

/* Writes the integer program hp_planner_solve would solve for s as CPLEX
 * LP (hp_ip_export_write_lp): columns named by SKU (class.SKU under the
 * roofline model), rows by constraint. HP_OK, or an error with d set. */
int hp_planner_write_lp(const hp_scenario *s, const char *path, hp_diag *d);

#endif
