/* solver.h - the solver seam: a small, solver-neutral mixed-integer program.
 *
 * The planner builds an hp_ip (ip.c: the program and its points;
 * ip_presolve.c: exact reductions and exclusion cuts); solver_glpk.c, which
 * solves it, is the only file that includes <glpk.h> and holds GLPK's
 * per-thread environment. tests/test_planner.c checks the GLPK optimum against
 * an exhaustive enumerator written in the test (a second implementation). Rows
 * are dense: planning problems have tens of columns, not thousands.
 */
#ifndef HP_SOLVER_H
#define HP_SOLVER_H

#include <stddef.h>

#include "hetplan.h"

#define HP_IP_MAX_ROWS                                                         \
  1024 /* services: serve, capacity, network and pick rows */

typedef struct hp_ip_row {
  char name[64]; /* constraint name for explanations: "demand", "power_mw" */
  double *a;     /* n_cols coefficients (owned) */
  double lo, hi; /* lo <= a.x <= hi; -HUGE_VAL / HUGE_VAL when open */
} hp_ip_row;

/* lo <= x[col] <= hi (hp_ip_presolve_exclusion_cut). */
typedef struct hp_ip_cut {
  size_t col;
  double lo, hi;
} hp_ip_cut;

typedef struct hp_ip {
  size_t n_cols;   /* variables */
  double *obj;     /* objective coefficients */
  double *lb, *ub; /* column bounds (ub may be HUGE_VAL) */
  int *is_int;     /* 1 for an integer column */
  int maximize;    /* 1 to maximise the objective */
  /* Branch-and-bound nodes allowed in all, 0 = none: a limit that, unlike
   * time, gives the same answer on every machine. Reached with a feasible
   * point in hand, the best one found is returned as HP_SOL_OPTIMAL with
   * node_limited set and the bound proven so far; reached without one, the
   * status is HP_SOL_ERROR ("node limit ..."). */
  long node_limit;
  /* Relative gap at which the search may stop (GLPK's mip_gap: |best -
   * bound| / |best| <= mip_gap); 0 proves the optimum. */
  double mip_gap;
  /* Optional, borrowed: a point to start from (n_cols values), e.g. the
   * optimum of a neighbouring sweep point. Used only if it satisfies
   * every bound, row and integrality; it prunes the search, and may decide
   * which of tied optima is returned, never the optimal value. */
  const double *hint;
  /* Optional, borrowed, used only with a hint that is used: bounds on one
   * column that every point with a better objective than the hint
   * satisfies, though the hint need not (hp_ip_presolve_exclusion_cut). The
   * search is confined to them; when nothing there beats the hint, the hint is
   * the optimum. Ignored with a mip_gap, where a hint is not known to be
   * optimal at its own point. */
  const struct hp_ip_cut *cut;
  /* 1: one of a sweep's neighbouring programs, solved one after another
   * (hp_solve_opts.warm). GLPK then runs its long turn breadth-first
   * without cuts, with or without a hint (docs/formulation.md, "Choosing
   * the solver"). Changes the search, never the optimal value. */
  int sweep_point;
  size_t n_rows;
  hp_ip_row rows[HP_IP_MAX_ROWS];
} hp_ip;

typedef enum {
  HP_SOL_OPTIMAL = 0,
  HP_SOL_INFEASIBLE,
  HP_SOL_UNBOUNDED,
  HP_SOL_ERROR
} hp_sol_status;

typedef struct hp_ip_solution {
  hp_sol_status status;
  double objective; /* objective value at x */
  int within_gap;   /* 1: the search stopped at ip->mip_gap, so x is within
                       that gap of the optimum but not proven optimal */
  int node_limited; /* 1: the search stopped at ip->node_limit; when
                       optimal, x is the best point found and `bound` what
                       the search proved; else (error) it found none */
  double bound;     /* node_limited: no point has a better objective than
                       this (a lower bound when minimising) */
  long nodes;       /* branch-and-bound nodes the search took, all turns */
  double *x;        /* n_cols values (owned; NULL unless optimal) */
  char error[256];  /* solver message when status is error */
} hp_ip_solution;

/* Allocates an empty program with n columns (bounds [0, +inf), continuous). */
int hp_ip_init(hp_ip *ip, size_t n_cols);
void hp_ip_cleanup(hp_ip *ip);
/* Deep copy; dst untouched on failure. */
int hp_ip_copy(hp_ip *dst, const hp_ip *src);
/* Adds a row (coefficients copied); returns its index through *idx. */
int hp_ip_add_row(hp_ip *ip, const char *name, const double *a, double lo,
                  double hi, size_t *idx);
/* Removes row i. */
void hp_ip_remove_row(hp_ip *ip, size_t i);
/* Index of the first row whose name equals `name`, or -1. */
long hp_ip_find_row(const hp_ip *ip, const char *name);

/* Exact reductions (ip_presolve.c): singleton rows become column bounds,
 * twin columns (same kind, objective and rows) are merged. */
typedef struct hp_ip_presolved {
  hp_ip ip;        /* the reduced program */
  size_t n_orig;   /* columns of the original */
  size_t *rep;     /* original column -> reduced column */
  double *lb, *ub; /* original columns' bounds after the singleton rows */
  int infeasible;  /* 1 if some column's bounds crossed */
} hp_ip_presolved;

/* Fills *p from ip; HP_OK or HP_ENOMEM (p then empty). */
int hp_ip_presolve(const hp_ip *ip, hp_ip_presolved *p);
/* Maps a solution xr of p->ip to x over the original columns: a merged
 * value is split over its members in column order, first ones filled
 * first. */
void hp_ip_presolve_undo(const hp_ip_presolved *p, const double *xr, double *x);
void hp_ip_presolve_cleanup(hp_ip_presolved *p);
/* Maps x over the original columns to xr over p->ip's; returns 1 if xr is
 * a feasible point of p->ip (bounds, integrality and rows, to a relative
 * 1e-9), else 0. */
int hp_ip_presolve_point(const hp_ip_presolved *p, const double *x, double *xr);
/* 1 if x is a point of ip to a solver's tolerance: within its bounds and
 * rows to 1e-7 relative (of the row's terms), integer columns within 1e-6
 * of an integer. */
int hp_ip_point_ok(const hp_ip *ip, const double *x);
/* Improves a feasible point x of ip in place by local moves on its integer
 * columns (one unit off a column, or one unit off one and 1-3 onto another,
 * either way), best first, while the objective improves; x stays feasible.
 * act: scratch of n_rows values. A primal heuristic: its result only
 * starts the search. */
void hp_ip_improve(const hp_ip *ip, double *x, double *act);

/* Bounds on one column that every point of cur strictly better than
 * prev's optimum satisfies, when prev and cur (same columns, objective and
 * row names) differ only in one bound of one column, or in one bound of a
 * row on one column (a per-SKU cap, 8 x_j <= 230000). Such a point is
 * feasible for cur, so it breaks prev's version of that bound (were it
 * feasible for prev, prev's optimum would be at least as good): x_j >
 * prev's upper bound, or x_j < its lower bound, by a whole unit on an
 * integer column. For a sweep that loosens a cap step by step, it confines
 * each point's search to the units the step added. Returns 1 and fills
 * *cut, or returns 0 (no such bound). */
int hp_ip_presolve_exclusion_cut(const hp_ip *prev, const hp_ip *cur,
                                 hp_ip_cut *cut);

/* Solves with GLPK, after hp_ip_presolve. Returns HP_OK whenever the search ran
 * (sol->status says optimal/infeasible/unbounded); HP_ESOLVER if GLPK failed,
 * HP_ENOMEM on OOM. The caller frees sol->x with hp_free. */
int hp_solver_glpk_solve(const hp_ip *ip, hp_ip_solution *sol, hp_diag *d);
void hp_ip_solution_cleanup(hp_ip_solution *sol);
/* Frees the calling thread's solver state (GLPK keeps one environment per
 * thread); call before a worker thread exits. */
void hp_solver_glpk_thread_cleanup(void);
/* Arranges for the calling thread's solver state to be freed when the
 * thread exits (a pthread key; solver_glpk.c says why). Call before the
 * first solve on a thread; repeated calls cost a lookup. */
void hp_solver_glpk_thread_arm(void);

/* Progress of a long solve (hp_set_progress, solver.c): a solver calls
 * hp_solver_progress_begin at the start of a search, hp_solver_progress_due as
 * often as it likes (a clock read once armed; 0 otherwise), then
 * hp_solver_progress_tick with what it has when due, and hp_solver_progress_end
 * once done. Only the thread that called hp_set_progress reports. */
typedef struct hp_ip_progress {
  hp_progress_fn fn; /* the hook, NULL when not armed */
  void *arg;         /* its argument */
  double every_s;    /* seconds before the first report and between two */
  double t0_s;       /* monotonic clock at the start, s */
  double next_s;     /* when the next report is due, s */
  int reported;      /* 1 once fn has been called */
  hp_progress last;  /* the last report */
} hp_ip_progress;

/* Arms p for the calling thread; returns 1 if a hook is set for it. */
int hp_solver_progress_begin(hp_ip_progress *p);
/* 1 if a report is due now. */
int hp_solver_progress_due(hp_ip_progress *p);
/* Reports pr (elapsed_s and done are filled in here). */
void hp_solver_progress_tick(hp_ip_progress *p, const hp_progress *pr);
/* Calls the hook once more with done set, if it was called at all. */
void hp_solver_progress_end(hp_ip_progress *p);

#endif
