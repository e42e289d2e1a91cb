/* ip.c - the solver-neutral integer program (solver.h): building and
 * copying an hp_ip, checking a point against it, and improving a feasible
 * point by local moves (a primal heuristic for start points). No solver
 * here: ip_presolve.c reduces a program, solver_glpk.c solves it.
 *
 * Layout: the program, points.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "mem.h"
#include "solver.h"

/* ----------------------------------------------------------------------------
 * The program
 * ------------------------------------------------------------------------- */

int hp_ip_init(hp_ip *ip, size_t n_cols) {
  memset(ip, 0, sizeof *ip);
  size_t n = n_cols ? n_cols : 1;
  ip->obj = hp_calloc(n, sizeof(double));
  ip->lb = hp_calloc(n, sizeof(double));
  ip->ub = hp_calloc(n, sizeof(double));
  ip->is_int = hp_calloc(n, sizeof(int));
  if (!ip->obj || !ip->lb || !ip->ub || !ip->is_int) {
    hp_ip_cleanup(ip);
    return HP_ENOMEM;
  }
  ip->n_cols = n_cols;
  for (size_t j = 0; j < n_cols; j++)
    ip->ub[j] = HUGE_VAL;
  return HP_OK;
}

void hp_ip_cleanup(hp_ip *ip) {
  hp_free(ip->obj);
  hp_free(ip->lb);
  hp_free(ip->ub);
  hp_free(ip->is_int);
  for (size_t i = 0; i < ip->n_rows; i++)
    hp_free(ip->rows[i].a);
  memset(ip, 0, sizeof *ip);
}

int hp_ip_add_row(hp_ip *ip, const char *name, const double *a, double lo,
                  double hi, size_t *idx) {
  if (ip->n_rows >= HP_IP_MAX_ROWS)
    return HP_ELIMIT;
  double *c = hp_malloc((ip->n_cols ? ip->n_cols : 1) * sizeof *c);
  if (!c)
    return HP_ENOMEM;
  memcpy(c, a, ip->n_cols * sizeof *c);
  hp_ip_row *r = &ip->rows[ip->n_rows];
  snprintf(r->name, sizeof r->name, "%s", name);
  r->a = c;
  r->lo = lo;
  r->hi = hi;
  if (idx)
    *idx = ip->n_rows;
  ip->n_rows++;
  return HP_OK;
}

void hp_ip_remove_row(hp_ip *ip, size_t i) {
  if (i >= ip->n_rows)
    return;
  hp_free(ip->rows[i].a);
  memmove(&ip->rows[i], &ip->rows[i + 1],
          (ip->n_rows - i - 1) * sizeof ip->rows[0]);
  ip->n_rows--;
}

long hp_ip_find_row(const hp_ip *ip, const char *name) {
  for (size_t i = 0; i < ip->n_rows; i++)
    if (strcmp(ip->rows[i].name, name) == 0)
      return (long)i;
  return -1;
}

int hp_ip_copy(hp_ip *dst, const hp_ip *src) {
  hp_ip t;
  if (hp_ip_init(&t, src->n_cols) != HP_OK)
    return HP_ENOMEM;
  memcpy(t.obj, src->obj, src->n_cols * sizeof *t.obj);
  memcpy(t.lb, src->lb, src->n_cols * sizeof *t.lb);
  memcpy(t.ub, src->ub, src->n_cols * sizeof *t.ub);
  memcpy(t.is_int, src->is_int, src->n_cols * sizeof *t.is_int);
  t.maximize = src->maximize;
  t.node_limit = src->node_limit;
  t.mip_gap = src->mip_gap;
  t.hint = src->hint;
  t.sweep_point = src->sweep_point;
  for (size_t i = 0; i < src->n_rows; i++)
    if (hp_ip_add_row(&t, src->rows[i].name, src->rows[i].a, src->rows[i].lo,
                      src->rows[i].hi, NULL) != HP_OK) {
      hp_ip_cleanup(&t);
      return HP_ENOMEM;
    }
  *dst = t;
  return HP_OK;
}

void hp_ip_solution_cleanup(hp_ip_solution *sol) {
  hp_free(sol->x);
  memset(sol, 0, sizeof *sol);
}

/* ----------------------------------------------------------------------------
 * Points
 * ------------------------------------------------------------------------- */

int hp_ip_point_ok(const hp_ip *ip, const double *x) {
  for (size_t c = 0; c < ip->n_cols; c++) {
    double t = 1e-7 * fmax(1, fabs(x[c]));
    if (!isfinite(x[c]) || x[c] < ip->lb[c] - t || x[c] > ip->ub[c] + t ||
        (ip->is_int[c] && fabs(x[c] - floor(x[c] + 0.5)) > 1e-6))
      return 0;
  }
  for (size_t i = 0; i < ip->n_rows; i++) {
    double v = 0, mag = 0;
    for (size_t c = 0; c < ip->n_cols; c++) {
      v += ip->rows[i].a[c] * x[c];
      mag += fabs(ip->rows[i].a[c] * x[c]);
    }
    double tol = 1e-7 * (1 + mag);
    if (v < ip->rows[i].lo - tol || v > ip->rows[i].hi + tol)
      return 0;
  }
  return 1;
}

/* Row activities of x. */
static void activities(const hp_ip *ip, const double *x, double *act) {
  for (size_t i = 0; i < ip->n_rows; i++) {
    double v = 0;
    for (size_t c = 0; c < ip->n_cols; c++)
      v += ip->rows[i].a[c] * x[c];
    act[i] = v;
  }
}

/* What the moves need of each row, once per pass: the row's limits
 * widened by the tolerance (lo[i] - tol, hi[i] + tol, tol from x's
 * activity), and the matrix by columns. */
typedef struct move_rows {
  size_t m;
  double *lo, *hi; /* m widened limits */
  double *w;       /* m activities after the first column's move */
  double *at;      /* n * m: at[j * m + i] = a_ij */
  double *gain;    /* n: obj_j times j's best step within its bounds */
} move_rows;

/* The best integer step of column j once the rows' activities are mr->w
 * (column k moved): the feasible range of j's step from its bounds and
 * every row, and in it the step that lowers sign * objective most.
 * Returns 0 if no step of j (0 included) keeps x feasible. */
static int best_step(const hp_ip *ip, const move_rows *mr, const double *x,
                     double sign, size_t j, double *dj) {
  double lo = ip->lb[j] - x[j], hi = ip->ub[j] - x[j];
  const double *aj = &mr->at[j * mr->m];
  for (size_t i = 0; i < mr->m && lo <= hi; i++) {
    double v = mr->w[i];
    double a = aj[i];
    if (a == 0) {
      if (v < mr->lo[i] || v > mr->hi[i])
        return 0;
      continue;
    }
    /* lo[i] <= v + a * step <= hi[i] */
    double s1 = (mr->lo[i] - v) / a, s2 = (mr->hi[i] - v) / a;
    if (a < 0) {
      double t = s1;
      s1 = s2;
      s2 = t;
    }
    if (s1 > lo)
      lo = s1;
    if (s2 < hi)
      hi = s2;
  }
  lo = ceil(lo - 1e-9);
  hi = floor(hi + 1e-9);
  if (lo > hi)
    return 0;
  *dj = sign * ip->obj[j] > 0 ? lo : hi;
  return 1;
}

void hp_ip_improve(const hp_ip *ip, double *x, double *act) {
  double sign = ip->maximize ? -1 : 1; /* minimise sign * obj */
  size_t n = ip->n_cols, m = ip->n_rows;
  move_rows mr = {.m = m};
  mr.lo = hp_malloc((3 * m + n * m + n + 1) * sizeof(double));
  if (!mr.lo)
    return; /* a heuristic: x stays as it was */
  mr.hi = mr.lo + m;
  mr.w = mr.hi + m;
  mr.at = mr.w + m;
  mr.gain = mr.at + n * m;
  for (size_t j = 0; j < n; j++)
    for (size_t i = 0; i < m; i++)
      mr.at[j * m + i] = ip->rows[i].a[j];
  activities(ip, x, act);
  /* Best improvement over: one unit onto or off column k, and with it the
   * best integer step of another column j (the compensating move: one
   * large server in, thirteen small ones out), until none improves. */
  for (int pass = 0; pass < 64; pass++) {
    for (size_t i = 0; i < m; i++) {
      double tol = 1e-9 * (1 + fabs(act[i]));
      mr.lo[i] = ip->rows[i].lo - tol;
      mr.hi[i] = ip->rows[i].hi + tol;
    }
    /* Column j's best step within its bounds alone: best_step rounds no
     * further than this, so obj_j times it bounds the move's objective
     * term (-HUGE_VAL: no bound). Most columns are at zero, so a unit onto
     * k is then paired only with the few columns it can come off. */
    for (size_t j = 0; j < n; j++) {
      double ext = sign * ip->obj[j] > 0 ? ceil(ip->lb[j] - x[j] - 1e-9)
                                         : floor(ip->ub[j] - x[j] + 1e-9);
      mr.gain[j] =
          ip->obj[j] != 0 && isfinite(ext) ? ip->obj[j] * ext : -HUGE_VAL;
    }
    /* A move must gain more than rounding (objective terms are whole
     * multiples of prices), or the pass could cycle on ties. */
    const double none = -1e-9;
    double best = none;
    size_t bj = 0, bk = 0;
    double bdj = 0, bdk = 0;
    for (size_t k = 0; k < n; k++) {
      if (!ip->is_int[k])
        continue;
      for (int dk = -1; dk <= 1; dk += 2) {
        if (x[k] + dk < ip->lb[k] || x[k] + dk > ip->ub[k])
          continue;
        for (size_t i = 0; i < m; i++)
          mr.w[i] = act[i] + mr.at[k * m + i] * dk;
        for (size_t j = 0; j < n; j++) {
          double dj;
          if (j == k || !ip->is_int[j])
            continue;
          /* When even j's best step within its own bounds does not beat
           * the best move so far, the rows cannot make it do so. */
          if (mr.gain[j] > -HUGE_VAL &&
              sign * (ip->obj[k] * dk + mr.gain[j]) >= best)
            continue;
          if (!best_step(ip, &mr, x, sign, j, &dj))
            continue;
          double g = sign * (ip->obj[k] * dk + ip->obj[j] * dj);
          if (g < best)
            best = g, bj = j, bk = k, bdj = dj, bdk = dk;
        }
      }
    }
    if (best == none)
      break;
    x[bk] += bdk;
    x[bj] += bdj;
    activities(ip, x, act);
  }
  hp_free(mr.lo);
}
