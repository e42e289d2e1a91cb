/* engine_bench.c - one plan's programs solved by each engine (GLPK, CBC,
 * auto) in process, built the way the planner builds them
 * (hp_planner_build, as bench/planner_bench.c): wall time, status, nodes,
 * objective, bound and the gap between them (issue 23).
 *
 *   engine_bench PLAN... [--catalog DIR] [--engines glpk,cbc,auto]
 *                [--node-limit N] [--runs N] [--lp DIR]
 *
 * --node-limit replaces the plans' solver.node_limit (default: theirs);
 * --runs times each solve N times and prints the minimum (default 1: the
 * large programs take seconds); --lp writes each program as DIR/NAME.lp.
 * A benchmark program, not a test: it is kept out of ctest.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hetplan.h"
#include "mem.h"
#include "planner.h"
#include "scenario.h"
#include "solver.h"
#include "solver_cbc.h"

static double clock_ms(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Wall time, and the process's CPU time: the solvers run on one thread,
 * so on a shared, loaded host the CPU time is the steadier figure. */
static double now_ms(void) { return clock_ms(CLOCK_MONOTONIC); }
static double cpu_ms(void) { return clock_ms(CLOCK_PROCESS_CPUTIME_ID); }

static const char *status_word(const hp_ip_solution *s) {
  switch (s->status) {
  case HP_SOL_OPTIMAL:
    return s->node_limited ? "nodelimit"
           : s->within_gap ? "within_gap"
                           : "optimal";
  case HP_SOL_INFEASIBLE:
    return "infeasible";
  case HP_SOL_UNBOUNDED:
    return "unbounded";
  default:
    return "error";
  }
}

static void usage(void) {
  fprintf(stderr, "usage: engine_bench PLAN... [--catalog DIR] "
                  "[--engines glpk,cbc,auto] [--node-limit N] [--runs N] "
                  "[--lp DIR]\n");
}

/* Column names for the LP file: SKU/class under the roofline model. */
static char **col_names(const hp_scenario *s, const hp_ip *ip,
                        const hp_unit *u) {
  char **v = calloc(ip->n_cols ? ip->n_cols : 1, sizeof *v);
  for (size_t j = 0; v && j < ip->n_cols; j++) {
    char name[256];
    const char *id = s->cands[u[j].cand].spec.id;
    if (hp_planner_is_roofline(s))
      snprintf(name, sizeof name, "%s/%s", id, s->classes[u[j].cls].name);
    else
      snprintf(name, sizeof name, "%s", id);
    v[j] = strdup(name);
  }
  return v;
}

int main(int argc, char **argv) {
  const char *catdir = HETPLAN_SOURCE_DIR "/devices", *lpdir = NULL;
  const char *plans[64];
  size_t n_plans = 0;
  hp_ip_engine engines[3];
  size_t n_eng = 0;
  long node_limit = -1, runs = 1;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--catalog") == 0 && i + 1 < argc) {
      catdir = argv[++i];
    } else if (strcmp(argv[i], "--lp") == 0 && i + 1 < argc) {
      lpdir = argv[++i];
    } else if (strcmp(argv[i], "--node-limit") == 0 && i + 1 < argc) {
      node_limit = atol(argv[++i]);
    } else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
      runs = atol(argv[++i]);
    } else if (strcmp(argv[i], "--engines") == 0 && i + 1 < argc) {
      char *list = argv[++i];
      for (char *t = strtok(list, ","); t && n_eng < 3; t = strtok(NULL, ","))
        if (!hp_solver_engine_parse(t, &engines[n_eng++])) {
          usage();
          return 2;
        }
    } else if (argv[i][0] != '-' && n_plans < 64) {
      plans[n_plans++] = argv[i];
    } else {
      usage();
      return 2;
    }
  }
  if (!n_plans || runs < 1) {
    usage();
    return 2;
  }
  if (!n_eng) {
    engines[n_eng++] = HP_IP_GLPK;
    if (hp_solver_cbc_available()) {
      engines[n_eng++] = HP_IP_CBC;
      engines[n_eng++] = HP_IP_AUTO;
    }
  }
  hp_diag d;
  hp_diag_clear(&d);
  hp_catalog *cat = NULL;
  char msg[1024];
  if (hp_catalog_load(catdir, &cat, &d) != HP_OK) {
    hp_diag_format(&d, msg, sizeof msg);
    fprintf(stderr, "engine_bench: %s\n", msg);
    return 1;
  }
  printf("%-26s %5s %4s %-4s %9s %9s %-10s %7s %17s %17s %9s\n",
         "plan/scenario", "cols", "rows", "eng", "wall ms", "cpu ms", "status",
         "nodes", "objective", "bound", "gap %");
  int rc = 0;
  for (size_t p = 0; p < n_plans; p++) {
    hp_planfile *pf = NULL;
    if (hp_planfile_load(plans[p], cat, &pf, &d) != HP_OK) {
      hp_diag_format(&d, msg, sizeof msg);
      fprintf(stderr, "engine_bench: %s\n", msg);
      rc = 1;
      continue;
    }
    for (size_t k = 0; k < hp_planfile_count(pf); k++) {
      const hp_scenario *s = hp_planfile_scenario(pf, k);
      hp_ip ip;
      hp_unit *u = NULL;
      if (hp_planner_build(s, &ip, &u, &d) != HP_OK) {
        hp_diag_format(&d, msg, sizeof msg);
        fprintf(stderr, "engine_bench: %s: %s\n", s->name, msg);
        rc = 1;
        continue;
      }
      if (node_limit >= 0)
        ip.node_limit = node_limit;
      char label[128];
      snprintf(label, sizeof label, "%s/%s", hp_planfile_name(pf), s->name);
      if (lpdir) {
        char path[1024];
        char **names = col_names(s, &ip, u);
        snprintf(path, sizeof path, "%s/%s-%s.lp", lpdir, hp_planfile_name(pf),
                 s->name);
        if (!names || hp_ip_export_write_lp(&ip, (const char *const *)names,
                                            path, &d) != HP_OK)
          fprintf(stderr, "engine_bench: cannot write %s\n", path);
        for (size_t j = 0; names && j < ip.n_cols; j++)
          free(names[j]);
        free(names);
      }
      for (size_t e = 0; e < n_eng; e++) {
        hp_ip_solution sol;
        double best = HUGE_VAL, best_cpu = HUGE_VAL;
        int src = HP_OK;
        for (long r = 0; r < runs; r++) {
          double t0 = now_ms(), c0 = cpu_ms();
          src = hp_solver_solve_with(&ip, engines[e], &sol, &d);
          double t = now_ms() - t0, c = cpu_ms() - c0;
          if (t < best)
            best = t;
          if (c < best_cpu)
            best_cpu = c;
          if (r + 1 < runs)
            hp_ip_solution_cleanup(&sol);
        }
        if (src != HP_OK) {
          hp_diag_format(&d, msg, sizeof msg);
          printf("%-26.26s %5zu %4zu %-4s %9.1f %9.1f failed: %s\n", label,
                 ip.n_cols, ip.n_rows, hp_solver_engine_name(engines[e]), best,
                 best_cpu, msg);
          rc = 1;
          continue;
        }
        double bound = sol.node_limited ? sol.bound : sol.objective;
        double gap = sol.status == HP_SOL_OPTIMAL
                         ? 100 * fabs(sol.objective - bound) /
                               fmax(1e-300, fabs(sol.objective))
                         : NAN;
        /* objective and bound in the objective's unit: CNY for capex and
         * tco, tokens/s for max_tokens */
        printf("%-26.26s %5zu %4zu %-4s %9.1f %9.1f %-10s %7ld %17.0f %17.0f "
               "%9.5f %s\n",
               label, ip.n_cols, ip.n_rows, hp_solver_engine_name(engines[e]),
               best, best_cpu, status_word(&sol), sol.nodes,
               sol.status == HP_SOL_OPTIMAL ? sol.objective : NAN,
               sol.status == HP_SOL_OPTIMAL ? bound : NAN, gap,
               s->objective == HP_OBJ_MAX_TOKENS ? "tokens/s" : "CNY");
        fflush(stdout);
        hp_ip_solution_cleanup(&sol);
      }
      hp_ip_cleanup(&ip);
      hp_free(u);
    }
    hp_planfile_free(pf);
  }
  hp_catalog_free(cat);
  return rc;
}
