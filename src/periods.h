/* periods.h - buying over time (issue 22): one program over a scenario's
 * periods, composed from each period's single-period program.
 *
 * For each period the planner builds its program (hp_planner_build); the
 * composed program holds every period's columns and rows (the period's
 * budget and caps move onto purchases), plus per period and SKU an integer
 * column "servers in service" n[p][k] and a purchase column b[p][k]:
 *   link:   sum of the period's server columns of k <= n[p][k]
 *   supply: n[p][k] - sum of b[q][k] still alive at p <= fleet alive at p
 * and the objective npv (capex when bought plus opex per period, discounted)
 * or capex. docs/formulation.md "Periods" writes it out.
 */
#ifndef HP_PERIODS_H
#define HP_PERIODS_H

#include "buf.h"
#include "hetplan.h"
#include "scenario.h"

struct hp_ip;   /* solver.h */
struct hp_unit; /* planner.h */

/* Which columns are integer (docs/formulation.md "Periods" measures them). */
typedef enum {
  HP_PER_FORM_INSERVICE = 0, /* n integer, purchases b continuous: b are
                                the non-negative differences of integer n
                                (re-solved with b integer when budget rows
                                leave b fractional) */
  HP_PER_FORM_PURCHASE = 1,  /* b integer, n continuous */
  HP_PER_FORM_BOTH = 2,      /* both integer: the default, fastest where
                                measured (docs/formulation.md "Periods") */
  /* A flag: keep a separate n column and link row even where the period
   * program has one server column per SKU (the flops model), which
   * otherwise is n itself. For measurements (docs/formulation.md). */
  HP_PER_FORM_SEPARATE = 4
} hp_periods_form;

typedef struct hp_periods_opts {
  int form;   /* an hp_periods_form */
  int myopic; /* 1: also plan period by period (the value of planning
                 ahead) */
} hp_periods_opts;

/* One SKU in one period. Counts are servers. */
typedef struct hp_period_sku {
  double bought;       /* bought at the period's start */
  double in_service;   /* serving in the period (paying opex) */
  double owned;        /* owned and within their lifetime */
  double retired;      /* reached end of life at the period's start */
  double capex_cny;    /* bought x the period's price, undiscounted */
  double opex_cny;     /* in_service x opex per year x years, undiscounted */
  double tokens_per_s; /* throughput the period's plan draws from it */
} hp_period_sku;

typedef struct hp_period_out {
  const char *name;              /* period name (borrowed from hp_periods) */
  double start_years, years;     /* from the plan's start; length */
  double demand_tokens_per_s;    /* peak demand x (1 + headroom), tokens/s */
  double capacity_tokens_per_s;  /* of the servers in service, tokens/s */
  double domestic_share_compute; /* of capacity, 0..1 */
  double domestic_share_cards;   /* of cards in service, 0..1 */
  double power_mw;               /* facility power in service, MW */
  double budget_cny;             /* the period's purchase budget, 0 = none */
  double capex_cny, opex_cny;    /* undiscounted */
  double bought_servers;         /* servers bought at the start, all SKUs */
  double discount;               /* (1 + rate)^-start_years */
  double pv_cny;                 /* (capex + opex) x discount */
  hp_period_sku *sku;            /* n_skus entries */
} hp_period_out;

typedef struct hp_periods_result {
  const char *name;        /* scenario name (borrowed) */
  hp_result_status status; /* optimal, infeasible or error */
  char *explanation;       /* infeasible/error: the period and constraint */
  int npv;                 /* 1: objective npv, 0: capex */
  double discount_rate;    /* per year */
  size_t n_skus;
  const char **skus;    /* SKU ids (borrowed) */
  const char **vendors; /* per SKU (borrowed from the catalog) */
  int *domestic;        /* per SKU */
  size_t n_periods;
  hp_period_out *periods;
  double objective_cny;       /* npv or undiscounted capex */
  double npv_cny;             /* discounted capex + opex */
  double capex_cny, opex_cny; /* undiscounted, all periods */
  int proven;                 /* 1: optimum proven */
  /* Period by period (opts.myopic): each period buys what it needs at the
   * least cost of that period alone, the earlier ones fixed. */
  int has_myopic;
  hp_result_status myopic_status;
  double myopic_objective_cny; /* same objective as objective_cny */
  double ahead_gain_cny;       /* the value of planning ahead: myopic minus
                                  joint objective, CNY (myopic optimal) */
  double ahead_gain_pct;       /* ahead_gain_cny / objective_cny, %; 0 when
                                  objective_cny <= 0 */
  char *myopic_explanation;    /* why myopic planning fails, or NULL */
  size_t n_cols, n_rows;       /* the composed program */
  long nodes;                  /* branch-and-bound nodes */
  double solve_ms;             /* wall time of the joint solve */
} hp_periods_result;

/* Column layout of a composed program. */
typedef struct hp_periods_map {
  size_t n_periods, n_skus;
  size_t *off;            /* per period: its first column */
  size_t *ncols;          /* per period: its program's columns */
  struct hp_unit **units; /* per period: hp_planner_build's units (owned) */
  size_t n_base;          /* columns of all period programs */
  int *row_period;        /* per row: its period */
  int *row_structural;    /* per row: 1 for link/supply rows */
} hp_periods_map;

/* Builds the composed program of P with formulation form; map receives
 * the column layout (release with hp_periods_map_cleanup). */
int hp_periods_build(const hp_periods *P, int form, struct hp_ip *ip,
                     hp_periods_map *map, hp_diag *d);
void hp_periods_map_cleanup(hp_periods_map *map);
/* Column of n[p][k] and b[p][k]. */
size_t hp_periods_ncol(const hp_periods_map *m, size_t p, size_t k);
size_t hp_periods_bcol(const hp_periods_map *m, size_t p, size_t k);

/* Solves scenario name's periods into r (release with
 * hp_periods_result_cleanup). Infeasible is a result, not an error. */
int hp_periods_solve(const hp_periods *P, const char *name,
                     const hp_periods_opts *o, hp_periods_result *r,
                     hp_diag *d);
void hp_periods_result_cleanup(hp_periods_result *r);

/* ----------------------------------------------------------------------------
 * Renderers (report_periods.c): they format finished results, never solve.
 * ------------------------------------------------------------------------- */

/* Appends n results of plan `plan` to b as fmt (table, JSON, CSV,
 * Markdown): per scenario the schedule (period x SKU: bought, in service,
 * retired), per period demand against capacity, shares, capex, opex and
 * the present value, the NPV, and the myopic plan beside the joint one.
 * HP_OK, or HP_ENOMEM (JSON). */
int hp_report_periods(const char *plan, const hp_periods_result *r, size_t n,
                      hp_format fmt, hp_buf *b);

#endif
