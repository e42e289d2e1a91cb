/* ip_presolve.c - exact reductions of an hp_ip before a solver sees it.
 *
 * Three reductions, all exact (the reduced program has the same optimum,
 * and every optimum of it maps back to an optimum of the original):
 *
 *  1. A row with one non-zero is a bound on its column: a per-SKU cap
 *     (8 x_j <= 230000) becomes x_j <= 28750. Integer columns round their
 *     bounds inwards. In a bound, a cap is visible to reduced-cost fixing
 *     and to the branching rules, which a row is not.
 *  2. Columns equal in kind, objective and every remaining row are merged
 *     into one whose bounds are the sums of theirs. The catalog has such
 *     twins: the A800 is the A100 with a slower NVLink, and at the same
 *     server price they are the same column once their caps are bounds.
 *     Left apart, branch-and-bound explores every split of a total between
 *     twins: the full-catalog bench's share-on-cards program took GLPK
 *     4,500 nodes (0.25 s) with the twins and 143 nodes (2.4 ms) merged.
 *  3. In a covering row (a demand), an integer column's coefficient above
 *     the row's bound is cut to it (tighten_cover): one unit covers the
 *     row either way, and the relaxation can no longer buy a sliver.
 *
 * hp_ip_presolve_undo splits a merged column's value over its members in
 * column order: each gets its lower bound, then the first members are
 * filled to their upper bounds. So the report is deterministic: of two
 * twins, the first in catalog order is bought first.
 */
#include <math.h>
#include <string.h>

#include "mem.h"
#include "solver.h"

/* Rounds an integer column's bound inwards, forgiving the last bits of a
 * quotient (230000 / 8 may come out as 28749.999999999996). The slack is
 * relative to the quotient, 1e-12 of it, a few thousand rounding errors:
 * an absolute 1e-9 x max(1, |v|) rounded a demand of 39,101,601,601.6
 * servers down by 39 (178 tokens/s short), and one of 7.6e-21 of a server
 * (a 1e-3 tokens/s demand on a 2.8e17 tokens/s server) to none: the
 * program became "optimal" with nothing bought (issue 19). */
static double round_slack(double v) { return 1e-12 * fabs(v); }

static double round_lo(double v) {
  double f = floor(v);
  return v - f <= round_slack(v) ? f : f + 1;
}

static double round_hi(double v) {
  double c = ceil(v);
  return c - v <= round_slack(v) ? c : c - 1;
}

/* Coefficient tightening of a covering row (lo > 0, no upper limit, every
 * coefficient and column bound non-negative): an integer column with
 * a_j > lo covers the row with one unit, as a column with a_j = lo does,
 * so a_j becomes lo, and the integer points of the row do not change.
 * Without it the LP relaxation meets a demand of 0.12 tokens/s with
 * 3e-6 of a 42,000 tokens/s server, which GLPK's integrality tolerance
 * (1e-5) takes for the integer 0: a plan of nothing (issue 19). With it,
 * the relaxation needs a whole unit. */
static void tighten_cover(hp_ip *ip) {
  for (size_t i = 0; i < ip->n_rows; i++) {
    hp_ip_row *r = &ip->rows[i];
    if (!(r->lo > 0) || !isfinite(r->lo) || r->hi < HUGE_VAL)
      continue;
    int cover = 1;
    for (size_t c = 0; c < ip->n_cols && cover; c++)
      cover = r->a[c] >= 0 && (r->a[c] == 0 || ip->lb[c] >= 0);
    for (size_t c = 0; cover && c < ip->n_cols; c++)
      if (ip->is_int[c] && r->a[c] > r->lo)
        r->a[c] = r->lo;
  }
}

/* If row r has one non-zero, its column *j and the bounds it puts on it
 * (lo <= x_j <= hi, before rounding); returns 1, else 0. */
static int singleton_bounds(const hp_ip_row *r, size_t n, size_t *j, double *lo,
                            double *hi) {
  size_t nz = 0;
  for (size_t k = 0; k < n && nz < 2; k++)
    if (r->a[k] != 0.0) {
      nz++;
      *j = k;
    }
  if (nz != 1)
    return 0;
  double a = r->a[*j];
  *lo = a > 0 ? r->lo / a : r->hi / a;
  *hi = a > 0 ? r->hi / a : r->lo / a;
  return 1;
}

/* Hash of column j over the kept rows, its kind and objective. */
static unsigned long long col_hash(const hp_ip *ip, const unsigned char *keep,
                                   size_t j) {
  unsigned long long h = 1469598103934665603ULL;
  double v[2] = {ip->obj[j], (double)ip->is_int[j]};
  for (size_t i = 0; i <= ip->n_rows; i++) {
    if (i < ip->n_rows) {
      if (!keep[i])
        continue;
      v[0] = ip->rows[i].a[j];
      v[1] = (double)i;
    }
    unsigned char b[sizeof v];
    memcpy(b, v, sizeof v);
    for (size_t k = 0; k < sizeof b; k++)
      h = (h ^ b[k]) * 1099511628211ULL;
  }
  return h;
}

static int same_col(const hp_ip *ip, const unsigned char *keep,
                    const double *lb, size_t j, size_t k) {
  /* A merged value is split from the members' lower bounds up. */
  if (!isfinite(lb[j]) || !isfinite(lb[k]))
    return 0;
  if (ip->is_int[j] != ip->is_int[k] || ip->obj[j] != ip->obj[k])
    return 0;
  for (size_t i = 0; i < ip->n_rows; i++)
    if (keep[i] && ip->rows[i].a[j] != ip->rows[i].a[k])
      return 0;
  return 1;
}

void hp_ip_presolve_cleanup(hp_ip_presolved *p) {
  hp_ip_cleanup(&p->ip);
  hp_free(p->rep);
  hp_free(p->lb);
  hp_free(p->ub);
  memset(p, 0, sizeof *p);
}

int hp_ip_presolve(const hp_ip *ip, hp_ip_presolved *p) {
  size_t n = ip->n_cols, m = ip->n_rows, n1 = n ? n : 1;
  memset(p, 0, sizeof *p);
  unsigned char *keep = hp_malloc(m ? m : 1);
  unsigned long long *hash = hp_malloc(n1 * sizeof *hash);
  p->rep = hp_malloc(n1 * sizeof *p->rep);
  p->lb = hp_malloc(n1 * sizeof *p->lb);
  p->ub = hp_malloc(n1 * sizeof *p->ub);
  if (!keep || !hash || !p->rep || !p->lb || !p->ub)
    goto oom;
  /* An integer column's bounds round inwards (GLPK refuses fractional
   * ones). */
  for (size_t j = 0; j < n; j++) {
    p->lb[j] =
        ip->is_int[j] && isfinite(ip->lb[j]) ? round_lo(ip->lb[j]) : ip->lb[j];
    p->ub[j] =
        ip->is_int[j] && isfinite(ip->ub[j]) ? round_hi(ip->ub[j]) : ip->ub[j];
  }

  /* 1. Singleton rows become column bounds. */
  for (size_t i = 0; i < m; i++) {
    size_t j;
    double lo, hi;
    keep[i] = !singleton_bounds(&ip->rows[i], n, &j, &lo, &hi);
    if (keep[i])
      continue;
    if (ip->is_int[j]) {
      if (isfinite(lo))
        lo = round_lo(lo);
      if (isfinite(hi))
        hi = round_hi(hi);
    }
    if (lo > p->lb[j])
      p->lb[j] = lo;
    if (hi < p->ub[j])
      p->ub[j] = hi;
  }
  /* Bounds crossed by more than rounding are infeasible; bounds that meet
   * to within it (two caps that say the same thing through different
   * quotients) fix the column. */
  for (size_t j = 0; j < n; j++) {
    if (p->lb[j] <= p->ub[j])
      continue;
    if (p->lb[j] - p->ub[j] > 1e-9 * fmax(1.0, fabs(p->ub[j])))
      p->infeasible = 1;
    else
      p->lb[j] = p->ub[j];
  }

  /* 2. Twin columns are merged into the first of them. */
  size_t nr = 0;
  for (size_t j = 0; j < n; j++) {
    hash[j] = col_hash(ip, keep, j);
    p->rep[j] = (size_t)-1;
    for (size_t k = 0; k < j; k++)
      if (hash[k] == hash[j] && same_col(ip, keep, p->lb, j, k)) {
        p->rep[j] = p->rep[k];
        break;
      }
    if (p->rep[j] == (size_t)-1)
      p->rep[j] = nr++;
  }
  if (hp_ip_init(&p->ip, nr) != HP_OK)
    goto oom;
  p->ip.maximize = ip->maximize;
  p->ip.node_limit = ip->node_limit;
  p->ip.mip_gap = ip->mip_gap;
  p->ip.sweep_point = ip->sweep_point;
  for (size_t c = 0; c < nr; c++)
    p->ip.ub[c] = 0;
  for (size_t j = 0; j < n; j++) {
    size_t c = p->rep[j];
    p->ip.obj[c] = ip->obj[j];
    p->ip.is_int[c] = ip->is_int[j];
    p->ip.lb[c] += p->lb[j];
    p->ip.ub[c] += p->ub[j]; /* HUGE_VAL absorbs */
  }
  double *a = hp_malloc((nr ? nr : 1) * sizeof *a);
  if (!a)
    goto oom;
  for (size_t i = 0; i < m; i++) {
    if (!keep[i])
      continue;
    for (size_t j = 0; j < n; j++)
      a[p->rep[j]] = ip->rows[i].a[j];
    if (hp_ip_add_row(&p->ip, ip->rows[i].name, a, ip->rows[i].lo,
                      ip->rows[i].hi, NULL) != HP_OK) {
      hp_free(a);
      goto oom;
    }
  }
  hp_free(a);
  tighten_cover(&p->ip);
  hp_free(keep);
  hp_free(hash);
  p->n_orig = n;
  return HP_OK;
oom:
  hp_free(keep);
  hp_free(hash);
  hp_ip_presolve_cleanup(p);
  return HP_ENOMEM;
}

void hp_ip_presolve_undo(const hp_ip_presolved *p, const double *xr,
                         double *x) {
  size_t nr = p->ip.n_cols;
  for (size_t c = 0; c < nr; c++) {
    /* What is left of the merged value after every member's lower bound. */
    double left = xr[c];
    for (size_t j = 0; j < p->n_orig; j++)
      if (p->rep[j] == c)
        left -= p->lb[j];
    size_t last = (size_t)-1;
    for (size_t j = 0; j < p->n_orig; j++) {
      if (p->rep[j] != c)
        continue;
      double room = p->ub[j] - p->lb[j];
      double take = left < room ? left : room;
      if (take < 0)
        take = 0;
      x[j] = p->lb[j] + take;
      left -= take;
      last = j;
    }
    /* A rounding remainder (never for integer columns) goes to the last. */
    if (last != (size_t)-1 && left != 0)
      x[last] += left;
  }
}

int hp_ip_presolve_point(const hp_ip_presolved *p, const double *x,
                         double *xr) {
  const hp_ip *ip = &p->ip;
  for (size_t c = 0; c < ip->n_cols; c++)
    xr[c] = 0;
  for (size_t j = 0; j < p->n_orig; j++) {
    if (!isfinite(x[j]) || x[j] < p->lb[j] - 1e-9 * fmax(1, fabs(p->lb[j])) ||
        x[j] > p->ub[j] + 1e-9 * fmax(1, fabs(p->ub[j])))
      return 0;
    xr[p->rep[j]] += x[j];
  }
  for (size_t c = 0; c < ip->n_cols; c++)
    if (ip->is_int[c] && xr[c] != floor(xr[c]))
      return 0;
  for (size_t i = 0; i < ip->n_rows; i++) {
    double v = 0, mag = 0;
    for (size_t c = 0; c < ip->n_cols; c++) {
      v += ip->rows[i].a[c] * xr[c];
      mag += fabs(ip->rows[i].a[c] * xr[c]);
    }
    double tol = 1e-9 * (1 + mag);
    if (v < ip->rows[i].lo - tol || v > ip->rows[i].hi + tol)
      return 0;
  }
  return 1;
}

int hp_ip_presolve_exclusion_cut(const hp_ip *prev, const hp_ip *cur,
                                 hp_ip_cut *cut) {
  size_t n = cur->n_cols;
  if (prev->n_cols != n || prev->n_rows != cur->n_rows ||
      prev->maximize != cur->maximize || n == 0)
    return 0;
  for (size_t j = 0; j < n; j++)
    if (prev->obj[j] != cur->obj[j] || prev->is_int[j] != cur->is_int[j])
      return 0;
  /* The one row, or the one column's bounds, that differ. */
  long row = -1, col = -1;
  for (size_t i = 0; i < cur->n_rows; i++) {
    const hp_ip_row *p = &prev->rows[i], *c = &cur->rows[i];
    if (strcmp(p->name, c->name) != 0)
      return 0;
    if (p->lo == c->lo && p->hi == c->hi &&
        memcmp(p->a, c->a, n * sizeof *p->a) == 0)
      continue;
    if (row >= 0)
      return 0;
    row = (long)i;
  }
  for (size_t j = 0; j < n; j++) {
    if (prev->lb[j] == cur->lb[j] && prev->ub[j] == cur->ub[j])
      continue;
    if (col >= 0 || row >= 0)
      return 0;
    col = (long)j;
  }
  /* prev's bounds on column j, from the column or from a singleton row
   * (a per-SKU cap, 8 x_j <= 230000), and which of them moved. */
  size_t j;
  double lo, hi;
  int lo_moved, hi_moved;
  if (col >= 0) {
    j = (size_t)col;
    lo = prev->lb[j];
    hi = prev->ub[j];
    lo_moved = lo != cur->lb[j];
    hi_moved = hi != cur->ub[j];
  } else if (row >= 0) {
    size_t jc;
    double lo_cur, hi_cur;
    if (!singleton_bounds(&prev->rows[row], n, &j, &lo, &hi) ||
        !singleton_bounds(&cur->rows[row], n, &jc, &lo_cur, &hi_cur) ||
        jc != j || prev->rows[row].a[j] != cur->rows[row].a[j])
      return 0;
    lo_moved = lo != lo_cur;
    hi_moved = hi != hi_cur;
  } else {
    return 0;
  }
  /* Broken on the side that moved: x_j < lo or x_j > hi, by a whole unit
   * on an integer column (kept closed otherwise: the boundary belongs to
   * prev's region, where nothing beats its optimum). */
  double clo = -HUGE_VAL, chi = HUGE_VAL;
  if (lo_moved && !hi_moved && isfinite(lo))
    chi = cur->is_int[j] ? round_lo(lo) - 1 : lo;
  else if (hi_moved && !lo_moved && isfinite(hi))
    clo = cur->is_int[j] ? round_hi(hi) + 1 : hi;
  else
    return 0;
  cut->col = j;
  cut->lo = clo;
  cut->hi = chi;
  return 1;
}
