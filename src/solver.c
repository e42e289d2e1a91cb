/* solver.c - which solver runs a program: GLPK (solver_glpk.c), CBC
 * (solver_cbc.c), or both in turn (auto). Includes neither solver's
 * headers. The auto rule and the measurements behind it are in
 * docs/formulation.md, "Choosing the solver".
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */
#include "solver_cbc.h"

#include <math.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "mem.h"
#include "status.h"

const char *hp_solver_engine_name(hp_ip_engine e) {
  switch (e) {
  case HP_IP_GLPK:
    return "glpk";
  case HP_IP_CBC:
    return "cbc";
  case HP_IP_AUTO:
    return "auto";
  }
  return "?";
}

int hp_solver_engine_parse(const char *s, hp_ip_engine *e) {
  static const hp_ip_engine all[] = {HP_IP_GLPK, HP_IP_CBC, HP_IP_AUTO};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
    if (strcmp(s, hp_solver_engine_name(all[i])) == 0) {
      *e = all[i];
      return 1;
    }
  return 0;
}

/* GLPK first, on every program: it proves the plans people run (the
 * hardest shipped one takes 861 nodes) in 0.1-30 ms, where CBC takes
 * 2-430 ms. A program that GLPK leaves unproven after HP_AUTO_GLPK_NODES
 * nodes goes to CBC with the nodes left of the plan's limit; the better of
 * the two plans is the answer. Hardness, not size, decides:
 * 96 columns (16 classes over 6 SKUs) can defeat GLPK where 112 (4 over
 * 28) take it 191 nodes. */
static int solve_auto(const hp_ip *ip, hp_ip_solution *sol, hp_diag *d) {
  /* A view of ip with GLPK's budget: it shares ip's arrays and rows, and
   * is never cleaned up. */
  hp_ip t = *ip;
  if (t.node_limit <= 0 || t.node_limit > HP_AUTO_GLPK_NODES)
    t.node_limit = HP_AUTO_GLPK_NODES;
  hp_ip_solution g;
  int rc = hp_solver_glpk_solve(&t, &g, d);
  if (rc == HP_ESOLVER) {
    /* GLPK failed (libglpk 5.0's MIP presolver asserts on some programs
     * whose integer rows cannot be met, e.g. 4 x - 2 y = -1): CBC
     * answers them. */
    if (d)
      hp_diag_clear(d);
    return hp_solver_cbc_solve(ip, sol, d);
  }
  int unproven = g.node_limited &&
                 (g.status == HP_SOL_OPTIMAL || g.status == HP_SOL_ERROR);
  if (rc != HP_OK || !unproven || t.node_limit == ip->node_limit) {
    /* Proven (or within the plan's gap), infeasible, unbounded, failed,
     * or out of the plan's own nodes: GLPK's answer is the answer. */
    *sol = g;
    return rc;
  }
  t.node_limit = ip->node_limit > 0 ? ip->node_limit - g.nodes : 0;
  if (ip->node_limit > 0 && t.node_limit < 1)
    t.node_limit = 1;
  /* CBC searches from scratch: handed GLPK's point as its MIP start, it
   * found worse plans with looser bounds in the same nodes (64 classes
   * over 14 SKUs: GLPK's plan and a 0.00706% gap, against 1,690,000 CNY
   * cheaper and 0.00164% from scratch; over 28 SKUs 0.0126% against
   * 0.0050%), and proved 16 classes over 14 SKUs in 71,000 nodes instead
   * of 22,000. GLPK's point is kept in case CBC ends worse. */
  t.hint = NULL;
  hp_ip_solution c;
  if ((rc = hp_solver_cbc_solve(&t, &c, d)) != HP_OK) {
    hp_ip_solution_cleanup(&g);
    memset(sol, 0, sizeof *sol);
    return rc;
  }
  long nodes = g.nodes + c.nodes;
  double sign = ip->maximize ? -1 : 1;
  if (g.status == HP_SOL_OPTIMAL &&
      (c.status != HP_SOL_OPTIMAL || sign * (c.objective - g.objective) > 0)) {
    /* CBC found no plan, or a worse one, within the nodes left: GLPK's
     * stands, node-limited, with the better of the two bounds. */
    if (c.status == HP_SOL_OPTIMAL) {
      double b = c.node_limited ? c.bound : c.objective;
      if (sign * (b - g.bound) > 0)
        g.bound = sign * (b - g.objective) < 0 ? b : g.objective;
    }
    hp_ip_solution_cleanup(&c);
    *sol = g;
  } else {
    if (c.status == HP_SOL_OPTIMAL && c.node_limited &&
        g.status == HP_SOL_OPTIMAL && sign * (g.bound - c.bound) > 0)
      c.bound = sign * (g.bound - c.objective) < 0 ? g.bound : c.objective;
    hp_ip_solution_cleanup(&g);
    *sol = c;
  }
  sol->nodes = nodes;
  return HP_OK;
}

int hp_solver_solve_with(const hp_ip *ip, hp_ip_engine e, hp_ip_solution *sol,
                         hp_diag *d) {
  switch (e) {
  case HP_IP_CBC:
    return hp_solver_cbc_solve(ip, sol, d);
  case HP_IP_AUTO:
    if (hp_solver_cbc_available())
      return solve_auto(ip, sol, d);
    return hp_solver_glpk_solve(ip, sol, d);
  case HP_IP_GLPK:
  default:
    return hp_solver_glpk_solve(ip, sol, d);
  }
}

/* Progress. The hook is the process's, set by the thread that will report
 * (the CLI's main thread); solves on other threads (a sweep's workers)
 * stay silent, so that reports never interleave. */
static hp_progress_fn progress_fn;
static void *progress_arg;
static double progress_every_s;
static pthread_t progress_owner;
static pthread_mutex_t progress_lock = PTHREAD_MUTEX_INITIALIZER;

void hp_set_progress(hp_progress_fn fn, void *arg, double every_s) {
  pthread_mutex_lock(&progress_lock);
  progress_fn = fn;
  progress_arg = arg;
  progress_every_s = every_s > 0 ? every_s : 1.0;
  progress_owner = pthread_self();
  pthread_mutex_unlock(&progress_lock);
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int hp_solver_progress_begin(hp_ip_progress *p) {
  memset(p, 0, sizeof *p);
  pthread_mutex_lock(&progress_lock);
  if (progress_fn && pthread_equal(progress_owner, pthread_self())) {
    p->fn = progress_fn;
    p->arg = progress_arg;
    p->every_s = progress_every_s;
  }
  pthread_mutex_unlock(&progress_lock);
  if (!p->fn)
    return 0;
  p->t0_s = now_s();
  p->next_s = p->t0_s + p->every_s;
  return 1;
}

int hp_solver_progress_due(hp_ip_progress *p) {
  return p->fn && now_s() >= p->next_s;
}

void hp_solver_progress_tick(hp_ip_progress *p, const hp_progress *pr) {
  if (!p->fn)
    return;
  double t = now_s();
  p->last = *pr;
  p->last.elapsed_s = t - p->t0_s;
  p->last.done = 0;
  p->next_s = t + p->every_s;
  p->reported = 1;
  p->fn(&p->last, p->arg);
}

void hp_solver_progress_end(hp_ip_progress *p) {
  if (!p->fn || !p->reported)
    return;
  p->last.elapsed_s = now_s() - p->t0_s;
  p->last.done = 1;
  p->fn(&p->last, p->arg);
}
