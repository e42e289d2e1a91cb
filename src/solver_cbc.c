/* solver_cbc.c - hp_ip solved by CBC; the only file that includes CBC's
 * headers.
 *
 * CBC's conventions are converted here: its log is switched off (level 0:
 * nothing on stdout or stderr), infinite bounds become COIN_DBL_MAX, its
 * status pair (Cbc_status, Cbc_secondaryStatus) becomes hp_sol_status, and
 * its solves are serialised, because CbcMain1 (which Cbc_solve runs) keeps
 * global state. Built without CBC, hp_solver_cbc_solve says so (HP_ENOTSUP).
 */
#include "solver_cbc.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mem.h"
#include "status.h"

#if HETPLAN_HAVE_CBC
#include <coin/Cbc_C_Interface.h>
#include <pthread.h>

int hp_solver_cbc_available(void) { return 1; }

static pthread_mutex_t cbc_lock = PTHREAD_MUTEX_INITIALIZER;

/* COIN's infinity is DBL_MAX; HUGE_VAL would be one too, but CBC computes
 * with bounds (ranges, presolve), where inf - inf is NaN. */
static double coin_bound(double v) {
  return v >= HUGE_VAL ? DBL_MAX : v <= -HUGE_VAL ? -DBL_MAX : v;
}

/* Loads ip into m, column by column (CBC's matrix is column-major). */
static int load(Cbc_Model *m, const hp_ip *ip, hp_diag *d) {
  size_t n = ip->n_cols, nr = ip->n_rows, nz = 0;
  for (size_t i = 0; i < nr; i++)
    for (size_t j = 0; j < n; j++)
      nz += ip->rows[i].a[j] != 0.0;
  int *start = hp_malloc((n + 1) * sizeof *start);
  int *idx = hp_malloc((nz ? nz : 1) * sizeof *idx);
  double *val = hp_malloc((nz ? nz : 1) * sizeof *val);
  double *clb = hp_malloc(n * sizeof *clb), *cub = hp_malloc(n * sizeof *cub);
  double *rlb = hp_malloc((nr ? nr : 1) * sizeof *rlb);
  double *rub = hp_malloc((nr ? nr : 1) * sizeof *rub);
  int rc = HP_OK;
  if (!start || !idx || !val || !clb || !cub || !rlb || !rub) {
    rc = hp_diag_oom(d);
    goto out;
  }
  size_t k = 0;
  for (size_t j = 0; j < n; j++) {
    start[j] = (int)k;
    for (size_t i = 0; i < nr; i++)
      if (ip->rows[i].a[j] != 0.0) {
        idx[k] = (int)i;
        val[k++] = ip->rows[i].a[j];
      }
    clb[j] = coin_bound(ip->lb[j]);
    cub[j] = coin_bound(ip->ub[j]);
  }
  start[n] = (int)k;
  for (size_t i = 0; i < nr; i++) {
    rlb[i] = coin_bound(ip->rows[i].lo);
    rub[i] = coin_bound(ip->rows[i].hi);
  }
  Cbc_loadProblem(m, (int)n, (int)nr, start, idx, val, clb, cub, ip->obj, rlb,
                  rub);
  Cbc_setObjSense(m, ip->maximize ? -1.0 : 1.0);
  for (size_t j = 0; j < n; j++)
    if (ip->is_int[j])
      Cbc_setInteger(m, (int)j);
out:
  hp_free(start);
  hp_free(idx);
  hp_free(val);
  hp_free(clb);
  hp_free(cub);
  hp_free(rlb);
  hp_free(rub);
  return rc;
}

/* Copies CBC's point into x: integer columns rounded (CBC accepts 1e-6
 * off an integer; GLPK reports them whole, and a count of cards is one),
 * and returns the objective recomputed at that point. */
static double take_point(const hp_ip *ip, const double *cx, double *x) {
  double obj = 0;
  for (size_t j = 0; j < ip->n_cols; j++) {
    x[j] = ip->is_int[j] ? nearbyint(cx[j]) : cx[j];
    /* -0.0 would print as "-0" in a plan */
    if (x[j] == 0)
      x[j] = 0;
    obj += ip->obj[j] * x[j];
  }
  return obj;
}

/* Whether ip has a point at all: the same program with a zero objective
 * (integrality kept) has an optimum. *feasible: 1 yes, 0 proven not, -1
 * not decided within ip's node limit. Called with cbc_lock held. */
static int has_point(const hp_ip *ip, int *feasible, hp_diag *d) {
  Cbc_Model *m = Cbc_newModel();
  if (!m)
    return hp_diag_oom(d);
  Cbc_setLogLevel(m, 0);
  int rc = load(m, ip, d);
  if (rc == HP_OK) {
    for (size_t j = 0; j < ip->n_cols; j++)
      Cbc_setObjCoeff(m, (int)j, 0.0);
    if (ip->node_limit > 0)
      Cbc_setMaximumNodes(m, (int)ip->node_limit);
    Cbc_solve(m);
    *feasible = Cbc_isProvenOptimal(m)                         ? 1
                : Cbc_getNumIntegers(m) && Cbc_bestSolution(m) ? 1
                : Cbc_isProvenInfeasible(m)                    ? 0
                                                               : -1;
  }
  Cbc_deleteModel(m);
  return rc;
}

int hp_solver_cbc_solve(const hp_ip *ip, hp_ip_solution *sol, hp_diag *d) {
  memset(sol, 0, sizeof *sol);
  size_t n = ip->n_cols;
  if (n == 0) {
    /* No variables: feasible iff every row admits 0 (as hp_solver_glpk_solve).
     */
    sol->status = HP_SOL_OPTIMAL;
    for (size_t i = 0; i < ip->n_rows; i++)
      if (ip->rows[i].lo > 0 || ip->rows[i].hi < 0)
        sol->status = HP_SOL_INFEASIBLE;
    if (sol->status == HP_SOL_OPTIMAL && !(sol->x = hp_malloc(sizeof(double))))
      return hp_diag_oom(d);
    return HP_OK;
  }
  if (n > INT_MAX / 2 || (ip->node_limit > 0 && ip->node_limit > INT_MAX))
    return hp_diag_set(d, HP_ELIMIT, NULL, 0, 0,
                       "CBC: %zu columns or a node limit of %ld exceeds its "
                       "int range",
                       n, ip->node_limit);
  double *x = hp_malloc(n * sizeof *x);
  int *cols = ip->hint ? hp_malloc(n * sizeof *cols) : NULL;
  if (!x || (ip->hint && !cols)) {
    hp_free(x);
    hp_free(cols);
    return hp_diag_oom(d);
  }
  int rc = HP_OK, any_int = 0;
  for (size_t j = 0; j < n; j++)
    any_int |= ip->is_int[j] != 0;

  pthread_mutex_lock(&cbc_lock);
  Cbc_Model *m = Cbc_newModel();
  if (!m) {
    pthread_mutex_unlock(&cbc_lock);
    hp_free(x);
    hp_free(cols);
    return hp_diag_oom(d);
  }
  Cbc_setLogLevel(m, 0);
  if ((rc = load(m, ip, d)) != HP_OK)
    goto out;
  if (ip->node_limit > 0)
    Cbc_setMaximumNodes(m, (int)ip->node_limit);
  if (ip->mip_gap > 0)
    Cbc_setAllowableFractionGap(m, ip->mip_gap);
  /* A start only where it is a point of the program: CBC would otherwise
   * repair it, or search from a wrong incumbent. */
  if (any_int && ip->hint && hp_ip_point_ok(ip, ip->hint)) {
    for (size_t j = 0; j < n; j++)
      cols[j] = (int)j;
    Cbc_setMIPStartI(m, (int)n, cols, ip->hint);
  }
  Cbc_solve(m);

  int st = Cbc_status(m), st2 = Cbc_secondaryStatus(m);
  const double *best = any_int ? Cbc_bestSolution(m) : NULL;
  sol->nodes = any_int ? Cbc_getNodeCount(m) : 0;
  double sign = ip->maximize ? -1 : 1;
  if (!any_int) {
    /* An LP: CBC hands it to Clp. */
    if (Cbc_isProvenOptimal(m)) {
      sol->status = HP_SOL_OPTIMAL;
      sol->objective = take_point(ip, Cbc_getColSolution(m), x);
    } else if (Cbc_isProvenInfeasible(m)) {
      sol->status = HP_SOL_INFEASIBLE;
    } else {
      sol->status = HP_SOL_ERROR;
      snprintf(sol->error, sizeof sol->error, "CBC LP status %d/%d", st, st2);
    }
  } else if (st2 == 7 || (Cbc_isContinuousUnbounded(m) && !best)) {
    sol->status = HP_SOL_UNBOUNDED;
  } else if (best && (Cbc_isProvenOptimal(m) || st2 == 2)) {
    sol->status = HP_SOL_OPTIMAL;
    sol->objective = take_point(ip, best, x);
    /* Stopped at the plan's gap: proven within it, not optimal. */
    double bound = Cbc_getBestPossibleObjValue(m);
    sol->within_gap =
        ip->mip_gap > 0 && sign * (sol->objective - bound) >
                               1e-9 * fmax(1.0, fabs(sol->objective));
  } else if (best && st == 1 && Cbc_isNodeLimitReached(m)) {
    sol->status = HP_SOL_OPTIMAL;
    sol->node_limited = 1;
    sol->objective = take_point(ip, best, x);
    /* What the search proved, no better than the point it found. */
    double bound = Cbc_getBestPossibleObjValue(m);
    sol->bound = sign * (bound - sol->objective) < 0 ? bound : sol->objective;
  } else if (Cbc_isProvenInfeasible(m) || (st == 0 && !best)) {
    sol->status = HP_SOL_INFEASIBLE;
  } else if (st == 1 && Cbc_isNodeLimitReached(m)) {
    sol->status = HP_SOL_ERROR;
    sol->node_limited = 1;
    snprintf(sol->error, sizeof sol->error,
             "node limit of %ld reached before a feasible point was found",
             ip->node_limit);
  } else {
    sol->status = HP_SOL_ERROR;
    snprintf(sol->error, sizeof sol->error, "CBC status %d/%d", st, st2);
  }
  if (sol->status == HP_SOL_INFEASIBLE) {
    /* CBC 2.10 says "infeasible" of some unbounded programs too: Clp's
     * presolve on a dual infeasible LP, and CBC's on a MIP with a column
     * that the objective drives off to infinity. A program with a point
     * and no optimum is unbounded, so "infeasible" is checked by looking
     * for any point (zero objective). */
    int feasible = 0;
    if ((rc = has_point(ip, &feasible, d)) != HP_OK)
      goto out;
    if (feasible == 1) {
      sol->status = HP_SOL_UNBOUNDED;
    } else if (feasible < 0) {
      sol->status = HP_SOL_ERROR;
      sol->node_limited = 1;
      snprintf(sol->error, sizeof sol->error,
               "node limit of %ld reached before CBC told an infeasible "
               "program from an unbounded one",
               ip->node_limit);
    }
  }
out:
  Cbc_deleteModel(m);
  pthread_mutex_unlock(&cbc_lock);
  hp_free(cols);
  if (rc == HP_OK && sol->status == HP_SOL_OPTIMAL)
    sol->x = x;
  else
    hp_free(x);
  return rc;
}

#else /* !HETPLAN_HAVE_CBC */

int hp_solver_cbc_available(void) { return 0; }

int hp_solver_cbc_solve(const hp_ip *ip, hp_ip_solution *sol, hp_diag *d) {
  (void)ip;
  memset(sol, 0, sizeof *sol);
  sol->status = HP_SOL_ERROR;
  snprintf(sol->error, sizeof sol->error,
           "hetplan was built without CBC (install coinor-libcbc-dev and "
           "configure again)");
  return hp_diag_set(d, HP_ENOTSUP, NULL, 0, 0, "%s", sol->error);
}

#endif
