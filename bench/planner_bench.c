/* planner_bench.c - times the planner's GLPK solve per scenario and exports
 * each scenario's integer program, so that bench/pulp_reference.py solves
 * exactly the same program with PuLP + CBC (issue 3's reference).
 *
 * Two modes (bench/solver_bench.sh drives both):
 *   planner_bench solve PLAN [--catalog DIR] [--export FILE] [--budget-ms MS]
 *                            [--min-runs N] [--max-runs N]
 *     For each scenario: hp_planner_build, one warm-up hp_solver_glpk_solve,
 * then runs fitted to a time budget; prints median and min per scenario, and
 *     writes the programs, GLPK's optimum and the timings as JSON.
 *   planner_bench exec N -- CMD_A ARGS... -- CMD_B ARGS...
 *     Runs A and B alternately N times each (stdout/stderr to /dev/null),
 *     timing each whole process from fork to wait; prints median and min.
 * A benchmark program, not a test: it is kept out of ctest.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hetplan.h"
#include "planner.h"
#include "scenario.h"
#include "solver.h"

/* ----------------------------------------------------------------------------
 * Timing and statistics
 * ------------------------------------------------------------------------- */

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Sorts t in place; returns the median. */
static double median(double *t, size_t n) {
  qsort(t, n, sizeof *t, cmp_double);
  return n % 2 ? t[n / 2] : 0.5 * (t[n / 2 - 1] + t[n / 2]);
}

/* ----------------------------------------------------------------------------
 * Export: the program as JSON, numbers at 17 significant digits so that the
 * reader gets the same doubles back. Open bounds are null.
 * ------------------------------------------------------------------------- */

static json_t *num_or_null(double v) {
  return isinf(v) ? json_null() : json_real(v);
}

/* Column j is candidate u[j].cand (and, under the roofline model, request
 * class u[j].cls): its name says both. */
static json_t *export_ip(const hp_scenario *s, const hp_ip *ip,
                         const hp_unit *u) {
  json_t *o = json_object(), *cols = json_array(), *rows = json_array();
  json_object_set_new(o, "sense", json_string(ip->maximize ? "max" : "min"));
  for (size_t j = 0; j < ip->n_cols; j++) {
    json_t *c = json_object();
    const char *id = s->cands[u[j].cand].spec.id;
    if (hp_planner_is_roofline(s)) {
      char name[256];
      snprintf(name, sizeof name, "%s/%s", id, s->classes[u[j].cls].name);
      json_object_set_new(c, "name", json_string(name));
    } else {
      json_object_set_new(c, "name", json_string(id));
    }
    json_object_set_new(c, "obj", json_real(ip->obj[j]));
    json_object_set_new(c, "lb", num_or_null(ip->lb[j]));
    json_object_set_new(c, "ub", num_or_null(ip->ub[j]));
    json_object_set_new(c, "integer", json_boolean(ip->is_int[j]));
    json_array_append_new(cols, c);
  }
  for (size_t i = 0; i < ip->n_rows; i++) {
    const hp_ip_row *r = &ip->rows[i];
    json_t *row = json_object(), *a = json_array();
    for (size_t j = 0; j < ip->n_cols; j++)
      json_array_append_new(a, json_real(r->a[j]));
    json_object_set_new(row, "name", json_string(r->name));
    json_object_set_new(row, "a", a);
    json_object_set_new(row, "lo", num_or_null(r->lo));
    json_object_set_new(row, "hi", num_or_null(r->hi));
    json_array_append_new(rows, row);
  }
  json_object_set_new(o, "cols", cols);
  json_object_set_new(o, "rows", rows);
  return o;
}

static const char *sol_status_name(hp_sol_status st) {
  switch (st) {
  case HP_SOL_OPTIMAL:
    return "optimal";
  case HP_SOL_INFEASIBLE:
    return "infeasible";
  case HP_SOL_UNBOUNDED:
    return "unbounded";
  default:
    return "error";
  }
}

/* ----------------------------------------------------------------------------
 * solve mode
 * ------------------------------------------------------------------------- */

static void usage(void) {
  fprintf(stderr,
          "usage: planner_bench solve PLAN [--catalog DIR] [--export FILE]\n"
          "                     [--budget-ms MS] [--min-runs N] "
          "[--max-runs N]\n"
          "       planner_bench exec N -- CMD_A ARGS... -- CMD_B ARGS...\n");
}

static void print_diag(const char *what, const hp_diag *d) {
  char buf[1024];
  hp_diag_format(d, buf, sizeof buf);
  fprintf(stderr, "planner_bench: %s: %s\n", what, buf);
}

static int cmd_solve(int argc, char **argv) {
  const char *plan = NULL, *catdir = HETPLAN_SOURCE_DIR "/devices",
             *export_path = NULL;
  /* Why these defaults: one solve is ~1-10 ms, so 1 s a scenario gives
   * hundreds of runs, enough for a stable median on a busy 2-core host. */
  double budget_ms = 1000;
  long min_runs = 30, max_runs = 2000;
  for (int i = 0; i < argc; i++) {
    if (strcmp(argv[i], "--catalog") == 0 && i + 1 < argc)
      catdir = argv[++i];
    else if (strcmp(argv[i], "--export") == 0 && i + 1 < argc)
      export_path = argv[++i];
    else if (strcmp(argv[i], "--budget-ms") == 0 && i + 1 < argc)
      budget_ms = atof(argv[++i]);
    else if (strcmp(argv[i], "--min-runs") == 0 && i + 1 < argc)
      min_runs = atol(argv[++i]);
    else if (strcmp(argv[i], "--max-runs") == 0 && i + 1 < argc)
      max_runs = atol(argv[++i]);
    else if (argv[i][0] != '-' && !plan)
      plan = argv[i];
    else {
      usage();
      return 2;
    }
  }
  if (!plan || min_runs < 1 || max_runs < min_runs) {
    usage();
    return 2;
  }

  hp_diag d;
  hp_diag_clear(&d);
  hp_catalog *cat = NULL;
  hp_planfile *pf = NULL;
  json_t *out = json_object(), *scen = json_array();
  double *t = NULL;
  int rc = 1;
  if (hp_catalog_load(catdir, &cat, &d) != HP_OK) {
    print_diag(catdir, &d);
    goto done;
  }
  if (hp_planfile_load(plan, cat, &pf, &d) != HP_OK) {
    print_diag(plan, &d);
    goto done;
  }
  if (!(t = malloc((size_t)max_runs * sizeof *t)))
    goto done;
  json_object_set_new(out, "plan", json_string(hp_planfile_name(pf)));
  json_object_set_new(out, "catalog_devices",
                      json_integer((json_int_t)hp_catalog_count(cat)));

  printf("%-22s %5s %5s %-10s %22s %10s %10s %10s %6s\n", "scenario", "cols",
         "rows", "status", "objective", "build ms", "median ms", "min ms",
         "runs");
  for (size_t k = 0; k < hp_planfile_count(pf); k++) {
    const hp_scenario *s = hp_planfile_scenario(pf, k);
    hp_ip ip;
    hp_unit *u = NULL;
    hp_ip_solution sol;

    /* Build time: median of a few builds (it is microseconds). */
    double tb[64];
    for (int r = 0; r < 64; r++) {
      double t0 = now_ms();
      if (hp_planner_build(s, &ip, &u, &d) != HP_OK) {
        print_diag(s->name, &d);
        goto done;
      }
      tb[r] = now_ms() - t0;
      if (r < 63) {
        hp_ip_cleanup(&ip);
        hp_free(u);
      }
    }
    double build_ms = median(tb, 64);

    /* Warm-up: the first solve pays for GLPK's environment and page faults. */
    if (hp_solver_glpk_solve(&ip, &sol, &d) != HP_OK) {
      print_diag(s->name, &d);
      hp_ip_cleanup(&ip);
      hp_free(u);
      goto done;
    }
    double first_ms;
    {
      hp_ip_solution s2;
      double t0 = now_ms();
      hp_solver_glpk_solve(&ip, &s2, NULL);
      first_ms = now_ms() - t0;
      hp_ip_solution_cleanup(&s2);
    }
    long runs = first_ms > 0 ? (long)(budget_ms / first_ms) : max_runs;
    if (runs < min_runs)
      runs = min_runs;
    if (runs > max_runs)
      runs = max_runs;
    for (long r = 0; r < runs; r++) {
      hp_ip_solution s2;
      double t0 = now_ms();
      int src = hp_solver_glpk_solve(&ip, &s2, NULL);
      t[r] = now_ms() - t0;
      if (src != HP_OK || s2.status != sol.status ||
          (sol.status == HP_SOL_OPTIMAL && s2.objective != sol.objective)) {
        fprintf(stderr, "planner_bench: %s: run %ld gave a different result\n",
                s->name, r);
        hp_ip_solution_cleanup(&s2);
        hp_ip_solution_cleanup(&sol);
        hp_ip_cleanup(&ip);
        hp_free(u);
        goto done;
      }
      hp_ip_solution_cleanup(&s2);
    }
    double med = median(t, (size_t)runs), mn = t[0];

    printf("%-22.22s %5zu %5zu %-10s %22.17g %10.4f %10.4f %10.4f %6ld\n",
           s->name, ip.n_cols, ip.n_rows, sol_status_name(sol.status),
           sol.status == HP_SOL_OPTIMAL ? sol.objective : NAN, build_ms, med,
           mn, runs);

    json_t *e = json_object();
    json_object_set_new(e, "name", json_string(s->name));
    json_object_set_new(e, "objective_kind",
                        json_string(hp_model_objective_name(s->objective)));
    json_object_set_new(e, "granularity",
                        json_string(hp_model_granularity_name(s->gran)));
    json_object_set_new(e, "ip", export_ip(s, &ip, u));
    json_t *g = json_object();
    json_object_set_new(g, "status", json_string(sol_status_name(sol.status)));
    if (sol.status == HP_SOL_OPTIMAL) {
      json_t *x = json_array();
      for (size_t j = 0; j < ip.n_cols; j++)
        json_array_append_new(x, json_real(sol.x[j]));
      json_object_set_new(g, "objective", json_real(sol.objective));
      json_object_set_new(g, "x", x);
    }
    json_object_set_new(g, "build_ms_median", json_real(build_ms));
    json_object_set_new(g, "solve_ms_median", json_real(med));
    json_object_set_new(g, "solve_ms_min", json_real(mn));
    json_object_set_new(g, "runs", json_integer(runs));
    json_object_set_new(e, "glpk", g);
    json_array_append_new(scen, e);

    hp_ip_solution_cleanup(&sol);
    hp_ip_cleanup(&ip);
    hp_free(u);
  }
  json_object_set(out, "scenarios", scen);
  if (export_path &&
      json_dump_file(out, export_path,
                     JSON_INDENT(1) | JSON_REAL_PRECISION(17)) != 0) {
    fprintf(stderr, "planner_bench: cannot write %s\n", export_path);
    goto done;
  }
  rc = 0;
done:
  free(t);
  json_decref(scen);
  json_decref(out);
  hp_planfile_free(pf);
  hp_catalog_free(cat);
  return rc;
}

/* ----------------------------------------------------------------------------
 * exec mode: whole-process wall time, fork to wait
 * ------------------------------------------------------------------------- */

/* Runs argv once with stdout/stderr on /dev/null; returns its wall time in
 * ms, or a negative value if it could not run or exited non-zero. */
static double run_once(char **argv) {
  double t0 = now_ms();
  pid_t pid = fork();
  if (pid < 0)
    return -1;
  if (pid == 0) {
    int fd = open("/dev/null", O_WRONLY);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    execvp(argv[0], argv);
    _exit(127);
  }
  int st;
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR)
      return -1;
  double ms = now_ms() - t0;
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
    return -1 - (WIFEXITED(st) ? WEXITSTATUS(st) : 128);
  return ms;
}

static int cmd_exec(int argc, char **argv) {
  if (argc < 4 || strcmp(argv[1], "--") != 0) {
    usage();
    return 2;
  }
  long n = atol(argv[0]);
  char **a = argv + 2, **b = NULL;
  for (int i = 2; i < argc; i++)
    if (strcmp(argv[i], "--") == 0) {
      argv[i] = NULL;
      b = argv + i + 1;
    }
  if (n < 1 || !b || !b[0] || !a[0]) {
    usage();
    return 2;
  }
  double *ta = malloc((size_t)n * sizeof *ta),
         *tb = malloc((size_t)n * sizeof *tb);
  if (!ta || !tb)
    return 1;
  /* One warm-up each (page cache, Python's .pyc), then alternate A and B so
   * that drift on a shared host hits both alike. */
  if (run_once(a) < 0 || run_once(b) < 0) {
    fprintf(stderr, "planner_bench: a command failed: %s / %s\n", a[0], b[0]);
    free(ta);
    free(tb);
    return 1;
  }
  for (long r = 0; r < n; r++) {
    ta[r] = run_once(a);
    tb[r] = run_once(b);
    if (ta[r] < 0 || tb[r] < 0) {
      fprintf(stderr, "planner_bench: run %ld failed\n", r);
      free(ta);
      free(tb);
      return 1;
    }
  }
  double ma = median(ta, (size_t)n), mb = median(tb, (size_t)n);
  printf("A median_ms %.3f min_ms %.3f runs %ld\n", ma, ta[0], n);
  printf("B median_ms %.3f min_ms %.3f runs %ld\n", mb, tb[0], n);
  free(ta);
  free(tb);
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 2 && strcmp(argv[1], "solve") == 0)
    return cmd_solve(argc - 2, argv + 2);
  if (argc >= 2 && strcmp(argv[1], "exec") == 0)
    return cmd_exec(argc - 2, argv + 2);
  usage();
  return 2;
}
