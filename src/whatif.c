/* whatif.c - sweeps, Monte Carlo and batch summaries over one planner.
 *
 * Every row (grid point or sample, times scenario) is solved by a worker
 * thread through the planner's one solve path (hp_planner_solve_opts,
 * lean, warm-started along a sweep's chunk): the point's keys are set on
 * copies of the scenarios the caller bound (hp_scenario_set), or, for
 * keys and values only the binder can judge, by binding the plan again.
 * The calling thread takes finished points in order (a window of chunks)
 * into the table or its spool file, and finishes the Monte Carlo
 * statistics. This file never prints and writes no text or JSON: its
 * tables are rendered by report_whatif.c.
 * Layout: axes, RNG and distributions, the row solve, runs, reading rows
 * back, Monte Carlo summaries, statistics.
 */
#define _POSIX_C_SOURCE 200809L
#include "whatif.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "mem.h"
#include "planner.h"
#include "solver.h"
#include "status.h"
#include "yamlx.h"

/* ----------------------------------------------------------------------------
 * Grid axes
 * ------------------------------------------------------------------------- */

/* A grid reaches STOP when (STOP - START) / STEP is within this relative
 * distance of a whole number: 0:1:0.1 has 11 points although 10 x 0.1 is
 * not exactly 1 in binary. */
#define AXIS_TOL 1e-9

int hp_wi_axis_parse(const char *spec, hp_wi_axis *out, hp_diag *d) {
  const char *eq = strchr(spec, '=');
  if (!eq || eq == spec)
    return hp_diag_set(d, HP_EINVAL, NULL, 0, 0,
                       "--vary '%.200s': expected KEY=START:STOP:STEP", spec);
  char *key = hp_strndup(spec, (size_t)(eq - spec));
  char *rest = hp_strdup(eq + 1);
  int rc = HP_OK;
  if (!key || !rest) {
    rc = hp_diag_oom(d);
    goto fail;
  }
  char *f[3] = {NULL, NULL, NULL};
  int nf = 0;
  for (char *p = rest; nf < 3;) {
    f[nf++] = p;
    char *c = strchr(p, ':');
    if (!c)
      break;
    *c = '\0';
    p = c + 1;
    if (nf == 3) { /* a third ':', even with nothing after it */
      nf = 4;
      break;
    }
  }
  double v[3] = {0, 0, 0};
  if (nf != 1 && nf != 3) {
    rc = hp_diag_set(d, HP_EINVAL, NULL, 0, 0,
                     "--vary '%.200s': expected KEY=START:STOP:STEP or "
                     "KEY=VALUE",
                     spec);
    goto fail;
  }
  for (int i = 0; i < nf; i++)
    if (!hp_fmt_parse_number(f[i], &v[i])) {
      rc = hp_diag_set(d, HP_EINVAL, NULL, 0, 0,
                       "--vary '%.200s': '%.60s' is not a number", spec, f[i]);
      goto fail;
    }
  hp_wi_axis a = {key, v[0], v[0], 1, 1};
  if (nf == 3) {
    a.stop = v[1];
    a.step = v[2];
    if (a.step == 0) {
      rc = hp_diag_set(d, HP_EINVAL, NULL, 0, 0,
                       "--vary '%.200s': STEP must not be 0", spec);
      goto fail;
    }
    double q = (a.stop - a.start) / a.step;
    if (q < -AXIS_TOL) {
      rc = hp_diag_set(d, HP_EINVAL, NULL, 0, 0,
                       "--vary '%.200s': STEP %g leads away from STOP", spec,
                       a.step);
      goto fail;
    }
    if (!isfinite(q) || q + 1 > (double)HP_WI_MAX_POINTS + 0.5) {
      rc = hp_diag_set(d, HP_ELIMIT, NULL, 0, 0,
                       "--vary '%.200s': %.0f points, more than the limit of "
                       "%u (HP_WI_MAX_POINTS)",
                       spec, isfinite(q) ? floor(q + AXIS_TOL) + 1 : q,
                       HP_WI_MAX_POINTS);
      goto fail;
    }
    double r = floor(q + 0.5);
    if (fabs(q - r) <= AXIS_TOL * (r > 1 ? r : 1))
      a.n = (size_t)r + 1;
    else
      a.n = (size_t)floor(q) + 1;
  }
  hp_free(rest);
  *out = a;
  return HP_OK;
fail:
  hp_free(key);
  hp_free(rest);
  return rc;
}

void hp_wi_axis_cleanup(hp_wi_axis *a) {
  if (!a)
    return;
  hp_free(a->key);
  a->key = NULL;
}

/* Rounds to 15 significant digits, removing the binary noise of
 * START + i x STEP (0 + 3 x 0.1 = 0.30000000000000004 becomes 0.3, the
 * value the user meant) without ever accumulating it. */
static double round15(double v) {
  if (v == 0 || !isfinite(v))
    return v;
  int e = (int)floor(log10(fabs(v)));
  if (e > 280 || e < -280)
    return v;
  double scale = pow(10, 14 - e);
  double r = round(v * scale) / scale;
  return isfinite(r) ? r : v;
}

double hp_wi_axis_value(const hp_wi_axis *a, size_t i) {
  double v = round15(a->start + (double)i * a->step);
  /* The last point is STOP itself when the grid reaches it (within the
   * tolerance), so 0:1:0.1 ends on 1, not 0.9999999999999999. */
  if (i + 1 == a->n && fabs(v - a->stop) <= AXIS_TOL * fabs(a->step))
    v = a->stop;
  return v;
}

/* ----------------------------------------------------------------------------
 * Random streams and distributions
 * ------------------------------------------------------------------------- */

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

void hp_wi_rng_seed(hp_rng *r, uint64_t seed, uint64_t stream) {
  /* Mix the stream index through splitmix64 first, so that streams i and
   * i + 1 start from unrelated states (Vigna's recommended seeding). */
  uint64_t x = seed;
  uint64_t k = splitmix64(&x) ^ (stream * 0xd1342543de82ef95ULL);
  uint64_t y = k;
  for (int i = 0; i < 4; i++)
    r->s[i] = splitmix64(&y);
  if (!(r->s[0] | r->s[1] | r->s[2] | r->s[3]))
    r->s[0] = 1;
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

uint64_t hp_wi_rng_next(hp_rng *r) {
  uint64_t *s = r->s;
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

double hp_wi_rng_uniform(hp_rng *r) {
  return (double)(hp_wi_rng_next(r) >> 11) * 0x1.0p-53;
}

/* Standard normal by Box-Muller (one of the pair; two uniforms a draw, so
 * the stream position does not depend on a cached second value). */
static double std_normal(hp_rng *r) {
  double u1 = 1.0 - hp_wi_rng_uniform(r); /* (0, 1] */
  double u2 = hp_wi_rng_uniform(r);
  return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

static double draw_once(const hp_wi_dist *g, hp_rng *r) {
  const double *p = g->p;
  switch (g->kind) {
  case HP_DIST_UNIFORM:
    return p[0] + hp_wi_rng_uniform(r) * (p[1] - p[0]);
  case HP_DIST_NORMAL:
    return p[0] + p[1] * std_normal(r);
  case HP_DIST_TRIANGULAR: {
    double u = hp_wi_rng_uniform(r), a = p[0], c = p[1], b = p[2];
    double fc = (c - a) / (b - a);
    if (u < fc)
      return a + sqrt(u * (b - a) * (c - a));
    return b - sqrt((1 - u) * (b - a) * (b - c));
  }
  default:
    return p[0] * exp(p[1] * std_normal(r));
  }
}

/* Truncated normal and lognormal by rejection: parsing refuses bounds that
 * keep less than 1% of the distribution (trunc_mass), so 10,000 draws all
 * fail with probability below 0.99^10000 = 2e-44. */
double hp_wi_dist_draw(const hp_wi_dist *g, hp_rng *r) {
  double v = 0;
  for (int i = 0; i < 10000; i++) {
    v = draw_once(g, r);
    if (v >= g->lo && v <= g->hi)
      return v;
  }
  return v < g->lo ? g->lo : g->hi;
}

static double dist_centre(const hp_wi_dist *g) {
  double c = g->kind == HP_DIST_UNIFORM      ? 0.5 * (g->p[0] + g->p[1])
             : g->kind == HP_DIST_TRIANGULAR ? g->p[1]
                                             : g->p[0];
  if (c < g->lo)
    c = g->lo;
  if (c > g->hi)
    c = g->hi;
  return c;
}

static int check_key(const hp_planfile *pf, const char *key, const size_t *scen,
                     size_t n_scen, hp_diag *d);

int hp_wi_dists_parse(const char *text, size_t len, const char *path,
                      const hp_catalog *cat, hp_wi_dist **out, size_t *n_out,
                      hp_diag *d) {
  hp_planfile *pf = NULL;
  int rc = hp_planfile_parse(text, len, path, cat, &pf, d);
  if (rc == HP_OK)
    rc = hp_wi_dists_of(pf, out, n_out, d);
  hp_planfile_free(pf);
  return rc;
}

int hp_wi_dists_of(const hp_planfile *plan, hp_wi_dist **out, size_t *n_out,
                   hp_diag *d) {
  hp_planfile *pf = NULL;
  hp_wi_dist *v = NULL;
  size_t n = 0;
  /* A copy to set each key on: no file is read again. */
  int rc = hp_planfile_dup(plan, &pf, d);
  if (rc != HP_OK)
    return rc;
  const char *file = hp_planfile_path(pf);
  const hp_ynode *u = hp_planfile_uncertain(pf);
  if (!u) {
    rc = hp_diag_set(d, HP_EMISSING, file, 0, 0,
                     "the plan has no uncertain: block (Monte Carlo needs "
                     "one: see docs/whatif.md)");
    goto fail;
  }
  /* The loader checked the block's form (hp_scenario_set_uncertain_parse); what
   * is left is whether each key is one the plan takes. */
  if ((rc = hp_scenario_set_uncertain_parse(u, file, &v, &n, d)) != HP_OK)
    goto fail;
  for (size_t i = 0; i < n; i++) {
    hp_wi_dist *g = &v[i];
    /* The path must be one the plan accepts: set it to the centre. */
    hp_diag e;
    hp_diag_clear(&e);
    if ((rc = hp_planfile_set_number(pf, g->key, dist_centre(g), &e)) !=
        HP_OK) {
      hp_diag_set(d, rc, file, g->line, g->col, "uncertain: %s", e.msg);
      goto fail;
    }
    size_t *all = hp_malloc((hp_planfile_count(pf) + 1) * sizeof *all);
    if (!all) {
      rc = hp_diag_oom(d);
      goto fail;
    }
    for (size_t s = 0; s < hp_planfile_count(pf); s++)
      all[s] = s;
    rc = check_key(pf, g->key, all, hp_planfile_count(pf), &e);
    hp_free(all);
    if (rc != HP_OK) {
      hp_diag_set(d, rc, file, g->line, g->col, "uncertain: %s", e.msg);
      goto fail;
    }
  }
  hp_planfile_free(pf);
  *out = v;
  *n_out = n;
  return HP_OK;
fail:
  hp_scenario_set_dists_free(v, n);
  hp_planfile_free(pf);
  return rc;
}

/* ----------------------------------------------------------------------------
 * The lean row solve
 * ------------------------------------------------------------------------- */

static void zero_vendors(double *a, size_t n) {
  if (a)
    memset(a, 0, n * sizeof *a);
}

int hp_wi_tightening(const char *key, double step) {
  static const struct {
    const char *key; /* exact key, or a prefix ending in '.' */
    int up;          /* 1: a larger value is tighter; 0: a smaller one */
  } rules[] = {
      {"constraints.domestic_share.min", 1},
      {"constraints.domestic_share.max", 0},
      {"constraints.headroom", 1},
      {"workload.tokens_per_day", 1},
      {"constraints.caps.", 0},
      {"constraints.power_mw", 0},
      {"constraints.budget_cny", 0},
      {"constraints.max_vendor_share", 0},
  };
  for (size_t i = 0; i < sizeof rules / sizeof rules[0]; i++) {
    size_t n = strlen(rules[i].key);
    int match = rules[i].key[n - 1] == '.' ? strncmp(key, rules[i].key, n) == 0
                                           : strcmp(key, rules[i].key) == 0;
    if (match)
      return rules[i].up ? step > 0 : step < 0;
  }
  return 0;
}

int hp_wi_solve_row(const hp_scenario *s, const char *const *vendors,
                    size_t n_vendors, hp_wi_row *row, double *vendor_cards,
                    double *vendor_servers, double *vendor_capex, hp_diag *d) {
  return hp_wi_solve_row_warm(s, NULL, vendors, n_vendors, row, vendor_cards,
                              vendor_servers, vendor_capex, d);
}

/* The row is the planner's lean result (hp_planner_solve_opts), copied:
 * the totals are the planner's own, summed in candidate order. */
int hp_wi_solve_row_warm(const hp_scenario *s, hp_solve_warm *warm,
                         const char *const *vendors, size_t n_vendors,
                         hp_wi_row *row, double *vendor_cards,
                         double *vendor_servers, double *vendor_capex,
                         hp_diag *d) {
  size_t point = row->point, scen = row->scenario;
  memset(row, 0, sizeof *row);
  row->point = point;
  row->scenario = scen;
  row->years = s->years;
  row->token_price_per_mtok_cny = s->token_price_cny_per_mtok;
  row->tokens_per_day = s->tokens_per_day;
  zero_vendors(vendor_cards, n_vendors);
  zero_vendors(vendor_servers, n_vendors);
  zero_vendors(vendor_capex, n_vendors);

  hp_solve_opts o;
  hp_planner_solve_opts_default(&o);
  o.warm = warm;
  o.explain = 0;
  o.lean = 1;
  hp_scenario_result r;
  int rc = hp_planner_solve_opts(s, NULL, &o, &r, d);
  if (rc != HP_OK) {
    if (rc == HP_ENOMEM)
      return rc;
    row->status = HP_RESULT_ERROR; /* the program could not be built */
    row->error = rc;
    return HP_OK;
  }
  row->status = r.status;
  if (r.status == HP_RESULT_ERROR) {
    row->error = o.error ? o.error : HP_ESOLVER;
    hp_diag_set(d, row->error, NULL, 0, 0, "%s",
                r.explanation ? r.explanation : "solver error");
  } else if (r.status == HP_RESULT_OPTIMAL) {
    row->capex_cny = r.capex_cny;
    row->opex_cny_per_year = r.opex_cny_per_year;
    row->tco_cny = r.tco_cny;
    row->cost_per_mtok_cny = r.cost_per_mtok_cny;
    row->cost_over_price_pct = r.cost_over_price_pct;
    row->cards = r.cards;
    row->servers = r.servers;
    row->delivered_tokens_per_s = r.delivered_tokens_per_s;
    row->power_mw = r.power_mw;
    row->share_compute = r.domestic_share_compute;
    row->share_cards = r.domestic_share_cards;
    row->share_capex = r.domestic_share_capex;
    row->within_gap = r.within_gap || r.node_limited;
    row->node_limited = r.node_limited;
    row->repaired = r.repaired;
    row->gap = r.gap;
    for (size_t k = 0; k < r.n_vendors; k++)
      for (size_t vi = 0; vi < n_vendors; vi++)
        if (strcmp(vendors[vi], r.vendors[k].vendor) == 0) {
          if (vendor_cards)
            vendor_cards[vi] = r.vendors[k].cards;
          if (vendor_servers)
            vendor_servers[vi] = r.vendors[k].servers;
          if (vendor_capex)
            vendor_capex[vi] = r.vendors[k].capex_cny;
          break;
        }
  }
  hp_planner_result_cleanup(&r);
  return HP_OK;
}

/* ----------------------------------------------------------------------------
 * Runs
 * ------------------------------------------------------------------------- */

/* The unit of a plan key, from its last path segment, for column headers
 * and Monte Carlo quantities. */
const char *hp_wi_key_unit(const char *key) {
  static const struct {
    const char *seg, *unit;
  } units[] = {{"tokens_per_day", "tokens/day"},
               {"users", "users"},
               {"tokens_per_user_per_day", "tokens/user/day"},
               {"seconds_per_day", "s/day"},
               {"peak_factor", "x"},
               {"params", "parameters"},
               {"active_params", "parameters"},
               {"mfu", "fraction"},
               {"mbu", "fraction"},
               {"min", "fraction"},
               {"max", "fraction"},
               {"headroom", "fraction"},
               {"max_vendor_share", "fraction"},
               {"utilisation", "fraction"},
               {"budget_cny", "CNY"},
               {"power_mw", "MW"},
               {"pue", "ratio"},
               {"years", "years"},
               {"power_price_cny_per_kwh", "CNY/kWh"},
               {"token_price_cny_per_mtok", "CNY/Mtok"},
               {"requests_per_s", "requests/s"},
               {"mip_gap", "fraction"},
               {"node_limit", "nodes"},
               {"ttft_ms", "ms"},
               {"tpot_ms", "ms"},
               {"share", "fraction"},
               {"input_tokens", "tokens"},
               {"output_tokens", "tokens"},
               {"memory_fraction", "fraction"},
               {"pcie_gbps", "GB/s"},
               {"allreduce_latency_us", "us"},
               {"min_batch", "requests"},
               {"max_batch", "requests"},
               {"batch", "requests"},
               {"tp", "cards"}};
  const char *seg = strrchr(key, '.');
  seg = seg ? seg + 1 : key;
  if (strstr(key, "caps.") == key || strstr(key, ".caps."))
    return "cards";
  for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
    if (strcmp(units[i].seg, seg) == 0)
      return units[i].unit;
  hp_figure f;
  if (hp_figure_find(seg, &f) == HP_OK)
    return hp_figure_unit(f);
  return "plan units";
}

static double now_ms(void);

/* GLPK keeps one environment per thread: Debian's libglpk40 5.0 is built
 * with thread-local storage (its tls_get_ptr reads a __thread slot through
 * __tls_get_addr), so glp_* calls from several threads do not share state,
 * but each thread's environment must be freed by that thread or it leaks:
 * hp_solver_glpk_thread_cleanup (solver.h) does that. */
static void solver_thread_end(void) { hp_solver_glpk_thread_cleanup(); }

/* Rows are handed out in chunks of points to keep the atomic counter cold
 * but the load balanced (one point takes 0.05 to 5 ms). Chunk boundaries
 * are fixed by the point index, whatever the thread count, and a sweep
 * walks each chunk in a fixed order handing each point's optimum to the
 * next as a start (hp_ip.hint), so the table is the same with 1 or N
 * threads. A one-key sweep that tightens the region (hp_wi_tightening)
 * walks its chunks backwards: then every step loosens it, and the
 * previous optimum is always feasible, a start the solver can use. */
#define CHUNK 4
#define WARM_CHUNK 64
/* Points a spooled run holds at once (finished or under way, WINDOW
 * chunks): workers wait rather than run further ahead of the lowest
 * unfinished point, so memory does not grow with the run. At least one
 * chunk, or the lowest chunk could never start. */
#define WINDOW 64
/* Runs of at most this many rows stay in memory even when a spool is
 * asked for (about 2 MB): small tables never touch the disk. */
#define SPOOL_MIN_ROWS 4096
/* Doubles a Monte Carlo summary gathers at once (4 MB): the quantities of
 * a scenario are gathered a few at a time from the rows, so memory does
 * not grow with the samples beyond this. */
#define GATHER_DOUBLES (1u << 19)

typedef struct run {
  hp_wi_table *t;
  const hp_wi_axis *axes;  /* sweep */
  const hp_wi_dist *dists; /* Monte Carlo */
  size_t *scen;            /* plan index of each table scenario */
  atomic_size_t next;      /* next point to hand out */
  atomic_size_t done;      /* points finished */
  atomic_int stop;         /* set on a fatal error */
  pthread_mutex_t mu;
  pthread_cond_t cv;    /* to the caller: a point is finished */
  pthread_cond_t space; /* to the workers: the window moved on */
  unsigned running;     /* workers not finished */
  int fatal;            /* HP_E* that stopped the run (OOM, parse) */
  hp_diag fatal_diag;
  size_t chunk;  /* points per chunk: CHUNK, or WARM_CHUNK with warm */
  int warm;      /* 1: each point starts from the previous optimum */
  int backwards; /* 1: walk each chunk from its last point to its first */
  int direct;    /* 1: every key is set on copies of the bound scenarios
                    (hp_scenario_set), not by binding the plan again */
  const hp_planfile *pf; /* the plan as bound on the caller's thread */
  /* Points [emitted, emitted + win) live in slot p % win; finished ones
   * are taken in order by the calling thread (emit). In memory, the
   * slots are the table's own arrays (win = n_points). */
  size_t win, emitted;
  unsigned char *ready; /* per slot: finished, not yet emitted */
  hp_wi_row *rows;      /* win x n_scenarios */
  double *vals;         /* win x n_keys */
  double *vc, *vs, *vk; /* win x n_scenarios x n_vendors */
  FILE *spool;          /* spooled: where rows go in order */
} run;

static void point_values(const run *r, size_t p, double *vals) {
  const hp_wi_table *t = r->t;
  if (t->kind == HP_WI_SWEEP) {
    for (size_t k = t->n_keys; k-- > 0;) {
      size_t n = r->axes[k].n;
      vals[k] = hp_wi_axis_value(&r->axes[k], p % n);
      p /= n;
    }
  } else {
    hp_rng g;
    hp_wi_rng_seed(&g, t->seed, p);
    for (size_t k = 0; k < t->n_keys; k++)
      vals[k] = hp_wi_dist_draw(&r->dists[k], &g);
  }
}

/* The row's own message, "file: setting 'KEY': ..." (NULL when out of
 * memory: the row still says error). */
static void note_error(hp_wi_row *row, const hp_diag *d) {
  char buf[HP_DIAG_MSG_MAX + HP_DIAG_FILE_MAX + 64];
  hp_diag_format(d, buf, sizeof buf);
  hp_free(row->error_msg);
  row->error_msg = hp_strdup(buf);
}

static void note_fatal(run *r, int rc, const hp_diag *d) {
  pthread_mutex_lock(&r->mu);
  if (!r->fatal) {
    r->fatal = rc;
    if (d)
      r->fatal_diag = *d;
    else
      hp_diag_oom(&r->fatal_diag);
  }
  atomic_store(&r->stop, 1);
  pthread_cond_broadcast(&r->space);
  pthread_mutex_unlock(&r->mu);
}

static void *worker(void *arg) {
  run *r = arg;
  hp_wi_table *t = r->t;
  hp_planfile *pf = NULL;
  hp_solve_warm *warm = NULL; /* one per scenario, when r->warm */
  hp_scenario *cur = NULL;    /* direct: the plan's scenarios, set */
  size_t n_cur = 0;
  hp_diag d;
  hp_diag_clear(&d);
  int rc;
  /* Direct runs copy the caller's bound scenarios and copy the plan only
   * if a value must be bound again; others bind their own copy (from the
   * plan's trees: no YAML is parsed and no file read). */
  if (!r->direct && (rc = hp_planfile_dup(r->pf, &pf, &d)) != HP_OK) {
    note_fatal(r, rc, &d);
    goto out;
  }
  const char *const *vendors = (const char *const *)t->vendors;
  size_t nv = t->n_vendors, ns = t->n_scenarios, nk = t->n_keys;
  size_t n_all = hp_planfile_count(r->pf);
  if (r->warm && !(warm = hp_calloc(ns ? ns : 1, sizeof *warm))) {
    note_fatal(r, HP_ENOMEM, NULL);
    goto out;
  }
  /* Direct: the plan's bound scenarios, copied once; each point sets its
   * keys on them (every scenario, selected or not, as binding would). */
  if (r->direct) {
    if (!(cur = hp_calloc(n_all, sizeof *cur))) {
      note_fatal(r, HP_ENOMEM, NULL);
      goto out;
    }
    for (; n_cur < n_all; n_cur++)
      if (hp_scenario_set_copy(&cur[n_cur],
                               hp_planfile_scenario(r->pf, n_cur)) != HP_OK) {
        note_fatal(r, HP_ENOMEM, NULL);
        goto out;
      }
  }
  while (!atomic_load(&r->stop)) {
    size_t p0 = atomic_fetch_add(&r->next, r->chunk);
    if (p0 >= t->n_points)
      break;
    size_t p1 = p0 + r->chunk < t->n_points ? p0 + r->chunk : t->n_points;
    pthread_mutex_lock(&r->mu);
    while (!atomic_load(&r->stop) && p1 > r->emitted + r->win)
      pthread_cond_wait(&r->space, &r->mu);
    pthread_mutex_unlock(&r->mu);
    for (size_t si = 0; warm && si < ns; si++)
      warm[si].valid = 0;
    for (size_t q = p0; q < p1 && !atomic_load(&r->stop); q++) {
      size_t p = r->backwards ? p1 - 1 - (q - p0) : q;
      size_t slot = p % r->win;
      double *vals = &r->vals[slot * nk];
      point_values(r, p, vals);
      int bad = HP_OK, set = cur != NULL;
      for (size_t k = 0; set && k < nk; k++)
        for (size_t i = 0; set && i < n_cur; i++) {
          int rs = hp_scenario_set(&cur[i], t->keys[k], vals[k], &d);
          if (rs == HP_ENOMEM)
            bad = HP_ENOMEM;
          set = rs == HP_OK;
        }
      /* A key set by binding the plan again: whenever a direct set
       * declines (a value the binder judges). */
      if (!set && !pf && bad == HP_OK &&
          (rc = hp_planfile_dup(r->pf, &pf, &d)) != HP_OK) {
        note_fatal(r, rc, &d);
        break;
      }
      for (size_t k = 0; !set && k < nk && bad == HP_OK; k++)
        bad = hp_planfile_set_number(pf, t->keys[k], vals[k], &d);
      if (bad == HP_ENOMEM) {
        note_fatal(r, bad, &d);
        break;
      }
      for (size_t si = 0; si < ns; si++) {
        size_t ri = slot * ns + si;
        hp_wi_row *row = &r->rows[ri];
        hp_free(row->error_msg);
        memset(row, 0, sizeof *row);
        row->point = p;
        row->scenario = si;
        if (bad != HP_OK) {
          /* A slot is reused: nothing of its last point may stay. */
          zero_vendors(&r->vc[ri * nv], nv);
          zero_vendors(&r->vs[ri * nv], nv);
          zero_vendors(&r->vk[ri * nv], nv);
          row->status = HP_RESULT_ERROR;
          row->error = bad;
          note_error(row, &d);
          continue;
        }
        rc = hp_wi_solve_row_warm(
            set ? &cur[r->scen[si]] : hp_planfile_scenario(pf, r->scen[si]),
            warm ? &warm[si] : NULL, vendors, nv, row, &r->vc[ri * nv],
            &r->vs[ri * nv], &r->vk[ri * nv], &d);
        if (rc != HP_OK) {
          note_fatal(r, rc, &d);
          break;
        }
        if (row->status == HP_RESULT_ERROR)
          note_error(row, &d);
      }
      if (atomic_load(&r->stop))
        break;
      pthread_mutex_lock(&r->mu);
      r->ready[slot] = 1;
      pthread_cond_signal(&r->cv);
      pthread_mutex_unlock(&r->mu);
      atomic_fetch_add(&r->done, 1);
    }
  }
out:
  for (size_t si = 0; warm && si < t->n_scenarios; si++)
    hp_planner_warm_cleanup(&warm[si]);
  hp_free(warm);
  for (size_t i = 0; i < n_cur; i++)
    hp_scenario_cleanup(&cur[i]);
  hp_free(cur);
  hp_planfile_free(pf);
  solver_thread_end();
  pthread_mutex_lock(&r->mu);
  r->running--;
  pthread_cond_signal(&r->cv);
  pthread_mutex_unlock(&r->mu);
  return NULL;
}

/* A spooled row: the row (its message pointer not used), the message's
 * length, the point's values, the vendor figures, the message. */
static int spool_row(FILE *f, const hp_wi_row *row, const double *vals,
                     size_t nk, const double *vc, const double *vs,
                     const double *vk, size_t nv) {
  hp_wi_row copy = *row;
  copy.error_msg = NULL;
  uint32_t ml = row->error_msg ? (uint32_t)strlen(row->error_msg) : 0;
  int ok = fwrite(&copy, sizeof copy, 1, f) == 1 &&
           fwrite(&ml, sizeof ml, 1, f) == 1 &&
           (!nk || fwrite(vals, sizeof *vals, nk, f) == nk) &&
           (!nv || (fwrite(vc, sizeof *vc, nv, f) == nv &&
                    fwrite(vs, sizeof *vs, nv, f) == nv &&
                    fwrite(vk, sizeof *vk, nv, f) == nv)) &&
           (!ml || fwrite(row->error_msg, 1, ml, f) == ml);
  return ok ? HP_OK : HP_EIO;
}

/* The calling thread takes finished point p (the lowest not taken): its
 * rows count into the table's summaries, then go to the spool. */
static int emit(run *r, size_t p) {
  hp_wi_table *t = r->t;
  size_t slot = p % r->win, ns = t->n_scenarios, nv = t->n_vendors;
  for (size_t si = 0; si < ns; si++) {
    size_t ri = slot * ns + si;
    hp_wi_row *row = &r->rows[ri];
    const double *vc = &r->vc[ri * nv];
    t->n_infeasible += row->status == HP_RESULT_INFEASIBLE;
    t->counts[si].optimal += row->status == HP_RESULT_OPTIMAL;
    t->counts[si].infeasible += row->status == HP_RESULT_INFEASIBLE;
    t->counts[si].errors += row->status == HP_RESULT_ERROR;
    t->n_within_gap += row->within_gap;
    t->n_node_limited += row->node_limited;
    t->has_price |= row->token_price_per_mtok_cny > 0;
    for (size_t k = 0; k < nv; k++)
      t->vendor_used[si * nv + k] |= vc[k] > 0;
    if (row->status == HP_RESULT_ERROR) {
      t->n_error++;
      t->n_error_solver += row->error != HP_EKEY && row->error != HP_ERANGE &&
                           row->error != HP_ETYPE && row->error != HP_EINVAL;
      if (!t->first_error && row->error_msg &&
          !(t->first_error = hp_strdup(row->error_msg)))
        return HP_ENOMEM;
    }
    if (!r->spool)
      continue;
    int rc = spool_row(r->spool, row, &r->vals[slot * t->n_keys], t->n_keys, vc,
                       &r->vs[ri * nv], &r->vk[ri * nv], nv);
    hp_free(row->error_msg);
    row->error_msg = NULL;
    if (rc != HP_OK)
      return rc;
  }
  return HP_OK;
}

/* Runs the workers and takes their points in order as they finish, until
 * every point is taken or one failed fatally. */
static int drive(run *r, const hp_wi_opts *o, unsigned nt, unsigned *started,
                 hp_diag *d) {
  hp_wi_table *t = r->t;
  pthread_t tid[HP_WI_MAX_THREADS];
  *started = 0;
  for (unsigned i = 0; i < nt; i++) {
    pthread_mutex_lock(&r->mu);
    r->running++;
    pthread_mutex_unlock(&r->mu);
    if (pthread_create(&tid[i], NULL, worker, r) != 0) {
      pthread_mutex_lock(&r->mu);
      r->running--;
      pthread_mutex_unlock(&r->mu);
      break;
    }
    (*started)++;
  }
  if (*started == 0) {
    /* No thread could start: run on this one, with the whole run as its
     * window (nothing takes points while it works). */
    if (r->win < t->n_points) {
      note_fatal(r, HP_ENOMEM, NULL);
      hp_diag_set(&r->fatal_diag, HP_ENOMEM, NULL, 0, 0,
                  "could not start a worker thread");
    } else {
      r->running = 1;
      worker(r);
    }
  }
  double last = now_ms();
  pthread_mutex_lock(&r->mu);
  for (;;) {
    /* Only points inside the window: point emitted + win shares the slot
     * of point emitted, whose ready flag is still set until it is taken. */
    size_t e = r->emitted, end = r->emitted + r->win;
    if (end > t->n_points)
      end = t->n_points;
    while (e < end && r->ready[e % r->win])
      e++;
    if (e > r->emitted && !r->fatal) {
      size_t from = r->emitted;
      pthread_mutex_unlock(&r->mu);
      int rc = HP_OK;
      for (size_t p = from; p < e && rc == HP_OK; p++)
        rc = emit(r, p);
      if (rc != HP_OK) {
        hp_diag ed;
        hp_diag_clear(&ed);
        if (rc == HP_ENOMEM)
          hp_diag_oom(&ed);
        else
          hp_diag_set(&ed, rc, NULL, 0, 0,
                      "writing rows to a temporary file: %s", strerror(errno));
        note_fatal(r, rc, &ed);
      }
      pthread_mutex_lock(&r->mu);
      for (size_t p = from; p < e; p++)
        r->ready[p % r->win] = 0;
      r->emitted = e;
      pthread_cond_broadcast(&r->space);
      continue;
    }
    if (r->running == 0)
      break;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += 100 * 1000 * 1000;
    if (ts.tv_nsec >= 1000000000L) {
      ts.tv_sec++;
      ts.tv_nsec -= 1000000000L;
    }
    pthread_cond_timedwait(&r->cv, &r->mu, &ts);
    if (o->progress && r->running > 0 && now_ms() - last >= 100) {
      last = now_ms();
      pthread_mutex_unlock(&r->mu);
      o->progress(atomic_load(&r->done), t->n_points, o->progress_ud);
      pthread_mutex_lock(&r->mu);
    }
  }
  pthread_mutex_unlock(&r->mu);
  for (unsigned i = 0; i < *started; i++)
    pthread_join(tid[i], NULL);
  if (o->progress)
    o->progress(atomic_load(&r->done), t->n_points, o->progress_ud);
  if (r->fatal) {
    if (d)
      *d = r->fatal_diag;
    return r->fatal;
  }
  if (r->spool && fflush(r->spool) != 0)
    return hp_diag_set(d, HP_EIO, NULL, 0, 0,
                       "writing rows to a temporary file: %s", strerror(errno));
  return HP_OK;
}

int hp_wi_table_tally(hp_wi_table *t) {
  assert(t && (t->rows || !t->n_rows));
  if (!t->counts && !(t->counts = hp_calloc(t->n_scenarios ? t->n_scenarios : 1,
                                            sizeof *t->counts)))
    return HP_ENOMEM;
  memset(t->counts, 0, t->n_scenarios * sizeof *t->counts);
  for (size_t i = 0; i < t->n_rows; i++) {
    hp_wi_counts *c = &t->counts[i % t->n_scenarios]; /* point-major */
    c->optimal += t->rows[i].status == HP_RESULT_OPTIMAL;
    c->infeasible += t->rows[i].status == HP_RESULT_INFEASIBLE;
    c->errors += t->rows[i].status == HP_RESULT_ERROR;
  }
  return HP_OK;
}

void hp_wi_table_free(hp_wi_table *t) {
  if (!t)
    return;
  for (size_t i = 0; i < t->n_keys; i++)
    if (t->keys)
      hp_free(t->keys[i]);
  for (size_t i = 0; i < t->n_scenarios; i++)
    if (t->scenarios)
      hp_free(t->scenarios[i]);
  for (size_t i = 0; i < t->n_vendors; i++)
    if (t->vendors)
      hp_free(t->vendors[i]);
  for (size_t i = 0; t->mc && i < t->n_scenarios; i++)
    hp_free(t->mc[i].quantities);
  hp_free(t->mc);
  hp_free(t->keys);
  hp_free(t->scenarios);
  hp_free(t->vendors);
  hp_free(t->vendor_domestic);
  hp_free(t->vendor_used);
  hp_free(t->counts);
  hp_free(t->values);
  for (size_t i = 0; t->rows && i < t->n_rows; i++)
    hp_free(t->rows[i].error_msg);
  hp_free(t->rows);
  hp_free(t->vendor_cards);
  hp_free(t->vendor_servers);
  hp_free(t->vendor_capex);
  if (t->spool)
    fclose((FILE *)t->spool);
  hp_free(t->first_error);
  hp_free(t->plan);
  hp_free(t->path);
  hp_scenario_set_dists_free(t->dists,
                             t->kind == HP_WI_MONTECARLO ? t->n_keys : 0);
  hp_free(t);
}

/* ----------------------------------------------------------------------------
 * Reading rows back (hp_wi_cursor)
 * ------------------------------------------------------------------------- */

int hp_wi_cursor_open(const hp_wi_table *t, hp_wi_cursor *c) {
  memset(c, 0, sizeof *c);
  c->t = t;
  if (!t->spool)
    return HP_OK;
  size_t nd = t->n_keys + 3 * t->n_vendors;
  if (!(c->buf = hp_malloc((nd ? nd : 1) * sizeof *c->buf)))
    return HP_ENOMEM;
  if (fseek((FILE *)t->spool, 0, SEEK_SET) != 0) {
    hp_wi_cursor_close(c);
    return HP_EIO;
  }
  return HP_OK;
}

int hp_wi_cursor_next(hp_wi_cursor *c, hp_wi_rowref *out) {
  const hp_wi_table *t = c->t;
  size_t nk = t->n_keys, nv = t->n_vendors;
  if (c->next >= t->n_rows)
    return 0;
  size_t ri = c->next++;
  if (!t->spool) {
    out->row = &t->rows[ri];
    out->values = &t->values[t->rows[ri].point * nk];
    out->vendor_cards = &t->vendor_cards[ri * nv];
    out->vendor_servers = &t->vendor_servers[ri * nv];
    out->vendor_capex = &t->vendor_capex[ri * nv];
    return 1;
  }
  FILE *f = t->spool;
  uint32_t ml;
  size_t nd = nk + 3 * nv;
  if (fread(&c->row, sizeof c->row, 1, f) != 1 ||
      fread(&ml, sizeof ml, 1, f) != 1 ||
      (nd && fread(c->buf, sizeof *c->buf, nd, f) != nd))
    return HP_EIO;
  c->row.error_msg = NULL;
  if (ml) {
    if (ml + 1 > c->msg_cap) {
      char *m = hp_realloc(c->msg, ml + 1);
      if (!m)
        return HP_ENOMEM;
      c->msg = m;
      c->msg_cap = ml + 1;
    }
    if (fread(c->msg, 1, ml, f) != ml)
      return HP_EIO;
    c->msg[ml] = '\0';
    c->row.error_msg = c->msg;
  }
  out->row = &c->row;
  out->values = c->buf;
  out->vendor_cards = c->buf + nk;
  out->vendor_servers = c->buf + nk + nv;
  out->vendor_capex = c->buf + nk + 2 * nv;
  return 1;
}

void hp_wi_cursor_close(hp_wi_cursor *c) {
  hp_free(c->buf);
  hp_free(c->msg);
  memset(c, 0, sizeof *c);
}

/* ----------------------------------------------------------------------------
 * Monte Carlo summaries: every statistic, finished here
 * ------------------------------------------------------------------------- */

/* The outputs a summary lists, after the inputs and before cards per
 * vendor: how the table prints them (unit, scale, decimals). */
static const struct {
  const char *name, *unit, *col;
  double scale;
  int dec;
} mc_outs[] = {
    {"capex", "100M CNY", "capex_cny", 1e8, 4},
    {"opex", "M CNY/yr", "opex_cny_per_year", 1e6, 2},
    {"TCO", "100M CNY", "tco_cny", 1e8, 4},
    {"cost per million tokens", "CNY/Mtok", "cost_per_mtok_cny", 1, 4},
    {"cards", "cards", "cards", 1, 0},
    {"servers", "servers", "servers", 1, 0},
    {"domestic share (compute)", "%", "share_compute", 0.01, 2},
    {"domestic share (cards)", "%", "share_cards", 0.01, 2}};
#define N_MC_OUTS (sizeof mc_outs / sizeof mc_outs[0])

static int row_column(const hp_wi_table *t, const hp_wi_row *r,
                      const double *vendor_cards, const char *col, double *v);

/* Quantity q's value in row x, or 0 when the row does not count for it
 * (inputs count every sample; outputs the optimal ones). */
static int mc_value(const hp_wi_table *t, const hp_wi_quantity *q, size_t k,
                    const hp_wi_rowref *x, double *v) {
  if (!q->column[0]) {
    *v = x->values[k];
    return 1;
  }
  if (x->row->status != HP_RESULT_OPTIMAL)
    return 0;
  return row_column(t, x->row, x->vendor_cards, q->column, v) == HP_OK;
}

/* Gathers quantities [q0, q1) of scenario s from the rows (one pass) into
 * cols (q1 - q0 arrays of n_points) and summarises each. */
static int mc_gather(hp_wi_table *t, hp_wi_mc_summary *m, size_t s, size_t q0,
                     size_t q1, double *cols) {
  size_t np = t->n_points, *n = hp_calloc(q1 - q0, sizeof *n);
  if (!n)
    return HP_ENOMEM;
  hp_wi_cursor c;
  hp_wi_rowref x;
  int rc = hp_wi_cursor_open(t, &c), more;
  while (rc == HP_OK && (more = hp_wi_cursor_next(&c, &x)) != 0) {
    if (more < 0) {
      rc = more;
      break;
    }
    if (x.row->scenario != s)
      continue;
    for (size_t q = q0; q < q1; q++)
      if (mc_value(t, &m->quantities[q], q, &x,
                   &cols[(q - q0) * np + n[q - q0]]))
        n[q - q0]++;
  }
  hp_wi_cursor_close(&c);
  for (size_t q = q0; rc == HP_OK && q < q1; q++)
    hp_wi_stats_of(&cols[(q - q0) * np], n[q - q0], &m->quantities[q].st);
  hp_free(n);
  return rc;
}

/* The capex histogram of scenario s (hp_wi_hist: its rule), from the
 * capex statistics st (n, min, max) and one more pass over the rows. */
static int mc_hist(const hp_wi_table *t, size_t s, const hp_wi_stats *st,
                   hp_wi_hist *h) {
  memset(h, 0, sizeof *h);
  if (!st->n)
    return HP_OK;
  if (st->max > st->min) {
    size_t nb = (size_t)ceil(sqrt((double)st->n));
    h->n_bins = nb < 10 ? 10 : nb > HP_WI_HIST_MAX ? HP_WI_HIST_MAX : nb;
    h->lo_cny = st->min;
    h->width_cny = (st->max - st->min) / (double)h->n_bins;
  } else {
    h->n_bins = 1;
    h->width_cny = fabs(st->min) > 0 ? fabs(st->min) * 0.02 : 2e6;
    h->lo_cny = st->min - h->width_cny * 0.5;
  }
  hp_wi_cursor c;
  hp_wi_rowref x;
  int rc = hp_wi_cursor_open(t, &c), more;
  while (rc == HP_OK && (more = hp_wi_cursor_next(&c, &x)) != 0) {
    if (more < 0) {
      rc = more;
      break;
    }
    if (x.row->scenario != s || x.row->status != HP_RESULT_OPTIMAL)
      continue;
    double b = floor((x.row->capex_cny - h->lo_cny) / h->width_cny);
    size_t k = b <= 0 ? 0 : b >= (double)h->n_bins ? h->n_bins - 1 : (size_t)b;
    h->counts[k]++;
  }
  hp_wi_cursor_close(&c);
  return rc;
}

/* Counts, the token price and the quantities of scenario s. */
static int mc_scenario(hp_wi_table *t, size_t s, double *cols, size_t batch) {
  hp_wi_mc_summary *m = &t->mc[s];
  size_t nv = t->n_vendors, nq = t->n_keys + N_MC_OUTS;
  for (size_t k = 0; k < nv; k++)
    nq += t->vendor_used[s * nv + k] != 0;
  if (!(m->quantities = hp_calloc(nq, sizeof *m->quantities)))
    return HP_ENOMEM;
  m->n_quantities = nq;
  size_t q = 0;
  for (size_t k = 0; k < t->n_keys; k++, q++) {
    hp_wi_quantity *x = &m->quantities[q];
    snprintf(x->name, sizeof x->name, "input %s (%s)", t->keys[k],
             hp_scenario_set_dist_name(t->dists[k].kind));
    snprintf(x->unit, sizeof x->unit, "%s", hp_wi_key_unit(t->keys[k]));
    x->scale = 1;
    x->decimals = -1; /* round-trip format */
  }
  for (size_t i = 0; i < N_MC_OUTS; i++, q++) {
    hp_wi_quantity *x = &m->quantities[q];
    snprintf(x->name, sizeof x->name, "%s", mc_outs[i].name);
    snprintf(x->unit, sizeof x->unit, "%s", mc_outs[i].unit);
    snprintf(x->column, sizeof x->column, "%s", mc_outs[i].col);
    x->scale = mc_outs[i].scale;
    x->decimals = mc_outs[i].dec;
  }
  for (size_t k = 0; k < nv; k++) {
    if (!t->vendor_used[s * nv + k])
      continue;
    hp_wi_quantity *x = &m->quantities[q++];
    snprintf(x->name, sizeof x->name, "cards %s", t->vendors[k]);
    snprintf(x->unit, sizeof x->unit, "cards");
    snprintf(x->column, sizeof x->column, "cards.%s", t->vendors[k]);
    x->scale = 1;
    x->decimals = 0;
  }
  /* Counts and the price, in one pass of their own. */
  hp_wi_cursor c;
  hp_wi_rowref x;
  size_t priced = 0, above = 0;
  int rc = hp_wi_cursor_open(t, &c), more;
  while (rc == HP_OK && (more = hp_wi_cursor_next(&c, &x)) != 0) {
    if (more < 0) {
      rc = more;
      break;
    }
    const hp_wi_row *r = x.row;
    if (r->scenario != s)
      continue;
    m->optimal += r->status == HP_RESULT_OPTIMAL;
    m->infeasible += r->status == HP_RESULT_INFEASIBLE;
    m->errors += r->status == HP_RESULT_ERROR;
    if (r->status != HP_RESULT_OPTIMAL || r->token_price_per_mtok_cny <= 0)
      continue;
    m->token_price_per_mtok_cny = r->token_price_per_mtok_cny;
    priced++;
    above += r->cost_per_mtok_cny > r->token_price_per_mtok_cny;
  }
  hp_wi_cursor_close(&c);
  m->share_above_price = priced ? (double)above / (double)priced : -1;
  for (size_t q0 = 0; rc == HP_OK && q0 < nq; q0 += batch)
    rc = mc_gather(t, m, s, q0, q0 + batch < nq ? q0 + batch : nq, cols);
  if (rc == HP_OK)
    rc = mc_hist(t, s, &m->quantities[t->n_keys].st, &m->capex_hist);
  return rc;
}

/* Every scenario's summary (hp_wi_table.mc), from the finished rows. */
static int mc_finish(hp_wi_table *t, hp_diag *d) {
  size_t np = t->n_points ? t->n_points : 1;
  size_t batch = GATHER_DOUBLES / np ? GATHER_DOUBLES / np : 1;
  double *cols = NULL;
  if (!(t->mc = hp_calloc(t->n_scenarios, sizeof *t->mc)) ||
      !(cols = hp_malloc(batch * np * sizeof *cols)))
    return hp_diag_oom(d);
  int rc = HP_OK;
  for (size_t s = 0; s < t->n_scenarios && rc == HP_OK; s++)
    rc = mc_scenario(t, s, cols, batch);
  hp_free(cols);
  if (rc == HP_ENOMEM)
    return hp_diag_oom(d);
  if (rc != HP_OK)
    return hp_diag_set(d, rc, NULL, 0, 0,
                       "reading rows back from a temporary file: %s",
                       strerror(errno));
  return HP_OK;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The catalog's vendors, in catalog order, once each. */
static int table_vendors(hp_wi_table *t, const hp_catalog *cat) {
  size_t n = hp_catalog_count(cat);
  t->vendors = hp_calloc(n ? n : 1, sizeof *t->vendors);
  t->vendor_domestic = hp_calloc(n ? n : 1, sizeof *t->vendor_domestic);
  if (!t->vendors || !t->vendor_domestic)
    return HP_ENOMEM;
  for (size_t i = 0; i < n; i++) {
    const hp_device_spec *s = hp_catalog_at(cat, i);
    size_t k = 0;
    while (k < t->n_vendors && strcmp(t->vendors[k], s->vendor) != 0)
      k++;
    if (k == t->n_vendors) {
      if (!(t->vendors[k] = hp_strdup(s->vendor)))
        return HP_ENOMEM;
      t->vendor_domestic[k] = 1;
      t->n_vendors++;
    }
    t->vendor_domestic[k] &= s->domestic;
  }
  return HP_OK;
}

static unsigned default_threads(void) {
  long n = sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? (unsigned)n : 1;
}

/* A key a sweep or an uncertain: block may vary: one the plan reads as a
 * number (not text: a name, a description), and, for a card's override or
 * cap, a card that some scenario of the run can buy (otherwise the key
 * would change nothing). Returns HP_OK or an error whose message names the
 * key; the caller adds where it was given. */
static int check_key(const hp_planfile *pf, const char *key, const size_t *scen,
                     size_t n_scen, hp_diag *d) {
  const char *id = NULL;
  size_t idn = 0;
  if (strncmp(key, "overrides.", 10) == 0) {
    id = key + 10;
    const char *dot = strchr(id, '.');
    idn = dot ? (size_t)(dot - id) : strlen(id);
  } else if (strncmp(key, "constraints.caps.", 17) == 0 &&
             strncmp(key + 17, "vendor.", 7) != 0) {
    id = key + 17;
    idn = strlen(id);
  }
  int bought = id == NULL; /* not a card's key: nothing to look for */
  for (size_t i = 0; !bought && i < n_scen; i++) {
    const hp_scenario *s = hp_planfile_scenario(pf, scen[i]);
    for (size_t c = 0; !bought && c < s->n_cands; c++)
      bought = strlen(s->cands[c].spec.id) == idn &&
               strncmp(s->cands[c].spec.id, id, idn) == 0;
  }
  if (!bought)
    return hp_diag_set(d, HP_EINVAL, NULL, 0, 0,
                       "'%s': card '%.*s' is not among the devices of %s, so "
                       "the key would change nothing",
                       key, (int)idn, id,
                       n_scen > 1 ? "any scenario of the run" : "the scenario");
  int tt = hp_planfile_takes_text(pf, key);
  if (tt == HP_ENOMEM)
    return hp_diag_oom(d);
  if (tt)
    return hp_diag_set(d, HP_ETYPE, NULL, 0, 0,
                       "'%s' is not a numeric plan key: the plan reads it as "
                       "text (see docs/whatif.md for the keys that can vary)",
                       key);
  return HP_OK;
}

/* Axis k of a sweep: named once, and taking at least one of its first,
 * middle and last values. */
static int check_axis(hp_planfile *pf, const hp_wi_axis *axes, size_t k,
                      const size_t *scen, size_t n_scen, hp_diag *d) {
  int rc;
  for (size_t j = 0; j < k; j++)
    if (strcmp(axes[j].key, axes[k].key) == 0)
      return hp_diag_set(d, HP_EDUP, NULL, 0, 0,
                         "--vary %s is given twice (one --vary per key)",
                         axes[k].key);
  /* What the key is first (text, a card no scenario buys), then whether
   * it takes the axis's values. */
  if ((rc = check_key(pf, axes[k].key, scen, n_scen, d)) != HP_OK) {
    char msg[HP_DIAG_MSG_MAX];
    snprintf(msg, sizeof msg, "%s", d ? d->msg : "");
    return hp_diag_set(d, rc, NULL, 0, 0, "--vary %s", msg);
  }
  hp_diag first;
  hp_diag_clear(&first);
  size_t at[3] = {0, axes[k].n / 2, axes[k].n - 1};
  rc = HP_EINVAL;
  for (int i = 0; i < 3 && rc != HP_OK; i++) {
    hp_diag e;
    hp_diag_clear(&e);
    rc = hp_planfile_set_number(pf, axes[k].key,
                                hp_wi_axis_value(&axes[k], at[i]), &e);
    if (rc == HP_ENOMEM)
      return hp_diag_oom(d);
    if (rc != HP_OK && i == 0)
      first = e;
  }
  if (rc != HP_OK) {
    if (d)
      *d = first;
    return first.status ? first.status : rc;
  }
  return HP_OK;
}

/* Before a sweep starts: every key must be one a sweep can vary, named
 * once, and take at least one of its axis's values (its first, middle or
 * last): a key no value binds to fails the run with the planner's message;
 * a point whose value the plan rejects (an MFU above 1) is an error row. */
static int check_axes(const hp_planfile *plan, const hp_wi_axis *axes, size_t n,
                      const size_t *scen, size_t n_scen, hp_diag *d) {
  int rc = HP_OK;
  hp_planfile *pf = NULL;
  for (size_t k = 0; k < n && rc == HP_OK; k++) {
    /* Each key against the plan as written, so that the order of the
     * --vary options (or an axis's direction) does not matter when keys
     * depend on each other (domestic_share.min <= max). */
    hp_planfile_free(pf);
    pf = NULL;
    if ((rc = hp_planfile_dup(plan, &pf, d)) != HP_OK)
      break;
    rc = check_axis(pf, axes, k, scen, n_scen, d);
  }
  hp_planfile_free(pf);
  return rc;
}

/* Shared by sweep and Monte Carlo: sets up the table, checks a sweep's
 * keys (check_axes) on the caller's thread, runs the workers. */
/* Frees what a run owns beyond the table: the scenario map and, when
 * spooled, the window's slots (in memory they are the table's). */
static void run_cleanup(run *r) {
  hp_free(r->scen);
  hp_free(r->ready);
  if (r->spool) {
    for (size_t i = 0; r->rows && i < r->win * r->t->n_scenarios; i++)
      hp_free(r->rows[i].error_msg);
    hp_free(r->rows);
    hp_free(r->vals);
    hp_free(r->vc);
    hp_free(r->vs);
    hp_free(r->vk);
  }
  memset(r, 0, sizeof *r);
}

static int run_table(hp_wi_kind kind, const hp_planfile *pf,
                     const hp_catalog *cat, const hp_wi_axis *axes,
                     hp_wi_dist *dists, size_t n_keys, size_t n_points,
                     uint64_t seed, const hp_wi_opts *o, hp_wi_table **out,
                     hp_diag *d) {
  hp_wi_opts none = {0};
  if (!o)
    o = &none;
  double t0 = now_ms();
  const char *path = hp_planfile_path(pf);
  hp_wi_table *t = hp_calloc(1, sizeof *t);
  run r;
  memset(&r, 0, sizeof r);
  int rc;
  if (!t) {
    hp_scenario_set_dists_free(dists, n_keys);
    return hp_diag_oom(d);
  }
  r.t = t;
  t->kind = kind;
  t->seed = seed;
  t->dists = dists;
  t->n_keys = n_keys;
  t->n_points = n_points;
  /* Which scenarios. */
  size_t np = hp_planfile_count(pf);
  r.scen = hp_calloc(np, sizeof *r.scen);
  t->scenarios = hp_calloc(np, sizeof *t->scenarios);
  t->keys = hp_calloc(n_keys ? n_keys : 1, sizeof *t->keys);
  t->plan = hp_strdup(hp_planfile_name(pf));
  t->path = hp_strdup(path);
  if (!r.scen || !t->scenarios || !t->keys || !t->plan || !t->path)
    goto oom;
  for (size_t i = 0; i < np; i++) {
    const char *nm = hp_planfile_scenario_name(pf, i);
    if (o->scenario && strcmp(o->scenario, nm) != 0)
      continue;
    if (!(t->scenarios[t->n_scenarios] = hp_strdup(nm)))
      goto oom;
    r.scen[t->n_scenarios++] = i;
  }
  if (t->n_scenarios == 0) {
    rc = hp_diag_set(d, HP_ENOTFOUND, path, 0, 0,
                     "no scenario named '%.100s' (the plan has %zu: '%s'%s)",
                     o->scenario ? o->scenario : "", np,
                     hp_planfile_scenario_name(pf, 0), np > 1 ? ", ..." : "");
    goto fail;
  }
  if (n_points == 0 || n_points > HP_WI_MAX_POINTS / t->n_scenarios) {
    rc = hp_diag_set(d, n_points ? HP_ELIMIT : HP_EINVAL, NULL, 0, 0,
                     "%zu points x %zu scenarios: %s", n_points, t->n_scenarios,
                     n_points ? "more rows than the limit of 1000000 "
                                "(HP_WI_MAX_POINTS)"
                              : "nothing to do");
    goto fail;
  }
  for (size_t k = 0; k < n_keys; k++)
    if (!(t->keys[k] =
              hp_strdup(kind == HP_WI_SWEEP ? axes[k].key : dists[k].key)))
      goto oom;
  if (table_vendors(t, cat) != HP_OK)
    goto oom;
  t->n_rows = n_points * t->n_scenarios;
  size_t nv = t->n_vendors ? t->n_vendors : 1, ns = t->n_scenarios;
  size_t nkk = n_keys ? n_keys : 1;
  if (!(t->vendor_used = hp_calloc(ns * nv, sizeof *t->vendor_used)) ||
      !(t->counts = hp_calloc(ns ? ns : 1, sizeof *t->counts)))
    goto oom;
  r.chunk = kind == HP_WI_SWEEP ? WARM_CHUNK : CHUNK;
  if (o->spool && t->n_rows > SPOOL_MIN_ROWS) {
    /* The window's slots; the rows themselves go to the spool. */
    r.win = r.chunk * WINDOW < n_points ? r.chunk * WINDOW : n_points;
    if (!(r.spool = tmpfile())) {
      rc = hp_diag_set(d, HP_EIO, NULL, 0, 0,
                       "cannot create a temporary file for the rows: %s",
                       strerror(errno));
      goto fail;
    }
    t->spool = r.spool;
    r.vals = hp_calloc(r.win * nkk, sizeof *r.vals);
    r.rows = hp_calloc(r.win * ns, sizeof *r.rows);
    r.vc = hp_calloc(r.win * ns * nv, sizeof(double));
    r.vs = hp_calloc(r.win * ns * nv, sizeof(double));
    r.vk = hp_calloc(r.win * ns * nv, sizeof(double));
    if (!r.vals || !r.rows || !r.vc || !r.vs || !r.vk)
      goto oom;
  } else {
    r.win = n_points;
    t->values = r.vals = hp_calloc(n_points * nkk, sizeof *t->values);
    t->rows = r.rows = hp_calloc(t->n_rows, sizeof *t->rows);
    t->vendor_cards = r.vc = hp_calloc(t->n_rows * nv, sizeof(double));
    t->vendor_servers = r.vs = hp_calloc(t->n_rows * nv, sizeof(double));
    t->vendor_capex = r.vk = hp_calloc(t->n_rows * nv, sizeof(double));
    if (!t->values || !t->rows || !t->vendor_cards || !t->vendor_servers ||
        !t->vendor_capex)
      goto oom;
  }
  if (!(r.ready = hp_calloc(r.win, 1)))
    goto oom;
  r.t = t;
  r.axes = axes;
  r.dists = dists;
  /* Sweep points start from their neighbour's optimum; Monte Carlo
   * samples are unrelated. */
  r.warm = kind == HP_WI_SWEEP;
  /* Backwards when one key varies and it tightens; keys set to one value
   * (`--vary solver.mip_gap=1e-5`) do not count. */
  size_t varied = 0, vk = 0;
  for (size_t k = 0; r.warm && k < n_keys; k++)
    if (axes[k].n > 1)
      varied++, vk = k;
  r.backwards = varied == 1 && hp_wi_tightening(axes[vk].key, axes[vk].step);
  /* Keys an uncertain: block names were checked where it was parsed. */
  if (kind == HP_WI_SWEEP &&
      (rc = check_axes(pf, axes, n_keys, r.scen, t->n_scenarios, d)) != HP_OK)
    goto fail;
  r.direct = 1;
  for (size_t k = 0; k < n_keys && r.direct; k++)
    r.direct = hp_scenario_set_planfile_takes(pf, t->keys[k]);
  r.pf = pf; /* read by the workers (copies of its scenarios) */

  unsigned nt = o->threads ? o->threads : default_threads();
  if (nt > HP_WI_MAX_THREADS)
    nt = HP_WI_MAX_THREADS;
  if (nt > (n_points + r.chunk - 1) / r.chunk)
    nt = (unsigned)((n_points + r.chunk - 1) / r.chunk);
  if (nt == 0)
    nt = 1;
  atomic_init(&r.next, 0);
  atomic_init(&r.done, 0);
  atomic_init(&r.stop, 0);
  pthread_mutex_init(&r.mu, NULL);
  pthread_cond_init(&r.cv, NULL);
  pthread_cond_init(&r.space, NULL);
  unsigned started;
  rc = drive(&r, o, nt, &started, d);
  pthread_mutex_destroy(&r.mu);
  pthread_cond_destroy(&r.cv);
  pthread_cond_destroy(&r.space);
  if (rc == HP_OK && kind == HP_WI_MONTECARLO)
    rc = mc_finish(t, d);
  if (rc != HP_OK)
    goto fail;
  t->threads = started ? started : 1;
  t->wall_ms = now_ms() - t0;
  run_cleanup(&r);
  *out = t;
  return HP_OK;
oom:
  rc = hp_diag_oom(d);
fail:
  run_cleanup(&r);
  hp_wi_table_free(t);
  return rc;
}

/* The sweep's own checks, before the plan is read. */
static int sweep_size(const hp_wi_axis *axes, size_t n_axes, size_t *n_points,
                      hp_diag *d) {
  if (n_axes == 0 || n_axes > HP_WI_MAX_KEYS)
    return hp_diag_set(d, n_axes ? HP_ELIMIT : HP_EINVAL, NULL, 0, 0,
                       "sweep: %zu --vary keys; give 1 to %d", n_axes,
                       HP_WI_MAX_KEYS);
  double total = 1;
  for (size_t k = 0; k < n_axes; k++)
    total *= (double)axes[k].n;
  if (total > HP_WI_MAX_POINTS)
    return hp_diag_set(d, HP_ELIMIT, NULL, 0, 0,
                       "sweep: %.0f grid points, more than the limit of %u "
                       "(HP_WI_MAX_POINTS)",
                       total, HP_WI_MAX_POINTS);
  *n_points = (size_t)total;
  return HP_OK;
}

static int mc_size(size_t n_samples, hp_diag *d) {
  if (n_samples == 0 || n_samples > HP_WI_MAX_POINTS)
    return hp_diag_set(d, n_samples ? HP_ELIMIT : HP_EINVAL, NULL, 0, 0,
                       "montecarlo: %zu samples; give 1 to %u "
                       "(HP_WI_MAX_POINTS)",
                       n_samples, HP_WI_MAX_POINTS);
  return HP_OK;
}

int hp_wi_sweep_plan(const hp_planfile *pf, const hp_catalog *cat,
                     const hp_wi_axis *axes, size_t n_axes, const hp_wi_opts *o,
                     hp_wi_table **out, hp_diag *d) {
  size_t n;
  int rc = sweep_size(axes, n_axes, &n, d);
  if (rc != HP_OK)
    return rc;
  return run_table(HP_WI_SWEEP, pf, cat, axes, NULL, n_axes, n, 0, o, out, d);
}

int hp_wi_sweep(const char *text, size_t len, const char *path,
                const hp_catalog *cat, const hp_wi_axis *axes, size_t n_axes,
                const hp_wi_opts *o, hp_wi_table **out, hp_diag *d) {
  hp_planfile *pf = NULL;
  size_t n;
  int rc = sweep_size(axes, n_axes, &n, d);
  if (rc == HP_OK &&
      (rc = hp_planfile_parse(text, len, path, cat, &pf, d)) == HP_OK)
    rc = hp_wi_sweep_plan(pf, cat, axes, n_axes, o, out, d);
  hp_planfile_free(pf);
  return rc;
}

int hp_wi_montecarlo_plan(const hp_planfile *pf, const hp_catalog *cat,
                          size_t n_samples, uint64_t seed, const hp_wi_opts *o,
                          hp_wi_table **out, hp_diag *d) {
  hp_wi_dist *dists = NULL;
  size_t n = 0;
  int rc = mc_size(n_samples, d);
  if (rc == HP_OK)
    rc = hp_wi_dists_of(pf, &dists, &n, d);
  if (rc != HP_OK)
    return rc;
  return run_table(HP_WI_MONTECARLO, pf, cat, NULL, dists, n, n_samples, seed,
                   o, out, d);
}

int hp_wi_montecarlo(const char *text, size_t len, const char *path,
                     const hp_catalog *cat, size_t n_samples, uint64_t seed,
                     const hp_wi_opts *o, hp_wi_table **out, hp_diag *d) {
  hp_planfile *pf = NULL;
  int rc = mc_size(n_samples, d);
  if (rc == HP_OK &&
      (rc = hp_planfile_parse(text, len, path, cat, &pf, d)) == HP_OK)
    rc = hp_wi_montecarlo_plan(pf, cat, n_samples, seed, o, out, d);
  hp_planfile_free(pf);
  return rc;
}

/* ----------------------------------------------------------------------------
 * Statistics
 * ------------------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

double hp_wi_quantile(const double *v, size_t n, double p) {
  if (n == 0)
    return 0;
  double h = (double)(n - 1) * p;
  size_t lo = (size_t)floor(h);
  if (lo + 1 >= n)
    return v[n - 1];
  return v[lo] + (h - (double)lo) * (v[lo + 1] - v[lo]);
}

void hp_wi_stats_of(double *v, size_t n, hp_wi_stats *out) {
  memset(out, 0, sizeof *out);
  if (n == 0)
    return;
  qsort(v, n, sizeof *v, cmp_double);
  double sum = 0;
  for (size_t i = 0; i < n; i++)
    sum += v[i];
  out->n = n;
  out->mean = sum / (double)n;
  out->p10 = hp_wi_quantile(v, n, 0.10);
  out->p50 = hp_wi_quantile(v, n, 0.50);
  out->p90 = hp_wi_quantile(v, n, 0.90);
  out->min = v[0];
  out->max = v[n - 1];
}

static int row_column(const hp_wi_table *t, const hp_wi_row *r,
                      const double *vendor_cards, const char *col, double *v) {
  if (strncmp(col, "cards.", 6) == 0) {
    for (size_t k = 0; k < t->n_vendors; k++)
      if (strcmp(t->vendors[k], col + 6) == 0) {
        *v = vendor_cards[k];
        return HP_OK;
      }
    return HP_ENOTFOUND;
  }
  static const struct {
    const char *name;
    size_t off;
  } cols[] = {
      {"capex_cny", offsetof(hp_wi_row, capex_cny)},
      {"opex_cny_per_year", offsetof(hp_wi_row, opex_cny_per_year)},
      {"tco_cny", offsetof(hp_wi_row, tco_cny)},
      {"cost_per_mtok_cny", offsetof(hp_wi_row, cost_per_mtok_cny)},
      {"cards", offsetof(hp_wi_row, cards)},
      {"servers", offsetof(hp_wi_row, servers)},
      {"power_mw", offsetof(hp_wi_row, power_mw)},
      {"share_compute", offsetof(hp_wi_row, share_compute)},
      {"share_cards", offsetof(hp_wi_row, share_cards)},
      {"share_capex", offsetof(hp_wi_row, share_capex)},
  };
  for (size_t i = 0; i < sizeof cols / sizeof cols[0]; i++)
    if (strcmp(cols[i].name, col) == 0) {
      memcpy(v, (const char *)r + cols[i].off, sizeof *v);
      return HP_OK;
    }
  return HP_ENOTFOUND;
}

int hp_wi_column_stats(const hp_wi_table *t, size_t scen, const char *column,
                       hp_wi_stats *out) {
  if (!t->rows)
    return HP_ENOTSUP; /* spooled: the engine's summaries have them */
  double *v = hp_malloc((t->n_points ? t->n_points : 1) * sizeof *v);
  if (!v)
    return HP_ENOMEM;
  size_t n = 0;
  for (size_t p = 0; p < t->n_points; p++) {
    size_t ri = p * t->n_scenarios + scen;
    if (t->rows[ri].status != HP_RESULT_OPTIMAL)
      continue;
    if (row_column(t, &t->rows[ri], &t->vendor_cards[ri * t->n_vendors], column,
                   &v[n]) != HP_OK) {
      hp_free(v);
      return HP_ENOTFOUND;
    }
    n++;
  }
  hp_wi_stats_of(v, n, out);
  hp_free(v);
  return HP_OK;
}
